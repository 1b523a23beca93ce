namespace PosMonitor.Web.Features.Incidents;

/// <summary>Marker for evidence lines' strings (EvidenceStrings.resx, EvidenceStrings.zh-CN.resx), keyed by <c>EvidencePhrase.Key</c>.</summary>
public sealed class EvidenceStrings;
