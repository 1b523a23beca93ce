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

    private readonly double[][] _sums;

    public RecentWindow(DetectionFrame f, MinuteCache minutes)
    {
        var width = Signals.Width;
        var n = f.Index.TerminalCount;
        var from = f.Now - Span;
        var terminals = new double[n * width];
        foreach (var block in minutes.Blocks)
        {
            if (block.Minute <= from || block.Minute > f.Now) continue;
            for (var t = 0; t < n; t++)
            {
                if (f.Excluded[t]) continue;
                DetectionFrame.AddTo(terminals.AsSpan(t * width, width), block.Of(t));
            }
        }
        _sums = new double[f.Levels.Length][];
        foreach (var level in f.Levels)
        {
            if (level.Type == ScopeType.Terminal)
            {
                _sums[(int)level.Type] = terminals;
                continue;
            }
            var sums = new double[level.Count * width];
            for (var t = 0; t < n; t++)
                DetectionFrame.AddTo(sums.AsSpan(level.Of[t] * width, width), terminals.AsSpan(t * width, width));
            _sums[(int)level.Type] = sums;
        }
    }

    public ReadOnlySpan<double> Of(ScopeType type, int scope) => _sums[(int)type].AsSpan(scope * Signals.Width, Signals.Width);
}
