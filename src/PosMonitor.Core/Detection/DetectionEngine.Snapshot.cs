namespace PosMonitor.Core.Detection;

public sealed partial class DetectionEngine
{
    /// <summary>
    /// What the engine has learned, to be written while it goes on evaluating (<see cref="BaselineSnapshot"/>); the same
    /// header and figures <see cref="BaselineHeader"/> and <see cref="ExportScopeBaselines"/> give at this moment.
    /// One at a time: dispose it once written.
    /// </summary>
    public BaselineSnapshot SnapshotBaselines() => _baselines.Snapshot();
}
