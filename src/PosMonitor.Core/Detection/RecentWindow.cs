using PosMonitor.Core.Incidents;

namespace PosMonitor.Core.Detection;

/// <summary>
/// Every terminal's and scope's figures over the last minute and the one under way (<see cref="Span"/>): the
/// minutes since a fault that just started, without the normal minutes before it that the short window still
/// holds. At a fault's onset those normal minutes add expected failures (and so doubt) but no evidence.
/// </summary>
internal sealed class RecentWindow
{
    /// <summary>The minute under way and the whole minute before it.</summary>
    public static readonly TimeSpan Span = TimeSpan.FromMinutes(2);

    /// <summary>Per level, its scopes' sums; kept by the engine from one check to the next (fresh arrays per check went to the large object heap).</summary>
    private double[][] _sums = [];

    /// <summary>Sums the recent minutes of the frame's terminals and scopes, over what the last check left here.</summary>
    public void Fill(DetectionFrame f, MinuteCache minutes)
    {
        var width = Signals.Width;
        var n = f.Index.TerminalCount;
        var from = f.Now - Span;
        if (_sums.Length != f.Levels.Length) _sums = new double[f.Levels.Length][];
        var terminals = Cleared((int)ScopeType.Terminal, n * width);
        foreach (var block in minutes.Blocks)
        {
            if (block.Minute <= from || block.Minute > f.Now) continue;
            for (var t = 0; t < n; t++)
            {
                if (f.Excluded[t]) continue;
                DetectionFrame.AddTo(terminals.AsSpan(t * width, width), block.Of(t));
            }
        }
        foreach (var level in f.Levels)
        {
            if (level.Type == ScopeType.Terminal) continue;
            var sums = Cleared((int)level.Type, level.Count * width);
            for (var t = 0; t < n; t++)
                DetectionFrame.AddTo(sums.AsSpan(level.Of[t] * width, width), terminals.AsSpan(t * width, width));
        }
    }

    private double[] Cleared(int level, int length)
    {
        var sums = _sums[level];
        if (sums is null || sums.Length != length) return _sums[level] = new double[length];
        Array.Clear(sums);
        return sums;
    }

    public ReadOnlySpan<double> Of(ScopeType type, int scope) => _sums[(int)type].AsSpan(scope * Signals.Width, Signals.Width);
}
