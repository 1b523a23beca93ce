using PosMonitor.Core.Incidents;

namespace PosMonitor.Core.Detection;

/// <summary>
/// The baselines as they were when <see cref="DetectionEngine.SnapshotBaselines"/> was called, written out while the engine
/// goes on evaluating (a save of 200,000 terminals takes seconds; holding detection for it made one tick in twenty late).
/// Copy-on-write: a scope is encoded when <see cref="Scopes"/> reaches it, or, if the engine is about to learn into it
/// before then, encoded first and kept here; nothing is copied for the whole fleet at once. Dispose when written
/// (also after a failed write), so learning stops copying.
/// </summary>
/// <remarks>
/// <see cref="Scopes"/> runs on the writer's thread while the engine learns on its own: each scope is handed over under
/// one lock, which the engine takes only for a scope still waiting here.
/// </remarks>
public sealed class BaselineSnapshot : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<KeyValuePair<(ScopeType Type, string Id), ScopeBaseline>> _scopes;
    private readonly Dictionary<ScopeBaseline, byte[]> _preserved = new(ReferenceEqualityComparer.Instance);
    private bool _open = true;

    internal BaselineSnapshot(BaselineHeader header, Dictionary<(ScopeType, string), ScopeBaseline> scopes)
    {
        Header = header;
        _scopes = [.. scopes];
        foreach (var (_, b) in _scopes) b.InSnapshot = true;
    }

    public BaselineHeader Header { get; }

    /// <summary>The scopes learned when the snapshot was taken.</summary>
    public int Count => _scopes.Count;

    internal bool IsOpen
    {
        get
        {
            lock (_lock) return _open;
        }
    }

    /// <summary>Every scope's figures as they were at the snapshot, encoded one at a time; enumerate once.</summary>
    public IEnumerable<SavedScopeBaseline> Scopes()
    {
        foreach (var ((type, id), b) in _scopes)
        {
            byte[] figures;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(!_open, this);
                figures = _preserved.Remove(b, out var kept) ? kept : b.Encode();
                b.InSnapshot = false;
            }
            yield return new SavedScopeBaseline(type, id, figures);
        }
    }

    /// <summary>The engine is about to learn into <paramref name="b"/>: its figures as of the snapshot are kept first.</summary>
    internal void Preserve(ScopeBaseline b)
    {
        lock (_lock)
        {
            if (!b.InSnapshot) return;
            _preserved[b] = b.Encode();
            b.InSnapshot = false;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (!_open) return;
            _open = false;
            foreach (var (_, b) in _scopes) b.InSnapshot = false;
            _preserved.Clear();
        }
    }
}
