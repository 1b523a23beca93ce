namespace PosMonitor.Web.Features.Feedback;

/// <summary>Marker for the feedback strings (FeedbackStrings.resx, FeedbackStrings.zh-CN.resx).</summary>
public sealed class FeedbackStrings;
