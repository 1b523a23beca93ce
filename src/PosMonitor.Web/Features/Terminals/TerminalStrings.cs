namespace PosMonitor.Web.Features.Terminals;

/// <summary>Marker for the terminal page's strings (TerminalStrings.resx, TerminalStrings.zh-CN.resx).</summary>
public sealed class TerminalStrings;
