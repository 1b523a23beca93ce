namespace PosMonitor.Web.Features.Incidents;

/// <summary>Marker for what merchants are told about incidents (NoticeStrings.resx, NoticeStrings.zh-CN.resx).</summary>
public sealed class NoticeStrings;
