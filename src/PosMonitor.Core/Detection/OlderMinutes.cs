namespace PosMonitor.Core.Detection;

/// <summary>
/// Each terminal's sales and input timeouts of the minutes that have left the lookback, in five-minute blocks, for as
/// far as <see cref="DetectionSettings.RareWindow"/> reaches beyond it. Two 16-bit counts a terminal a block
/// (200,000 terminals, four blocks: 3.2 MB), not the whole vector a minute of the lookback keeps: only a quiet
/// shop's input timeouts are judged over so long a window.
/// </summary>
/// <remarks>
/// A minute is folded in as it leaves the lookback, as the lookback held it then: an event arriving more than a long
/// window late is not counted here (the live API's and a replay's late events are minutes late, not a quarter hour).
/// </remarks>
internal sealed class OlderMinutes
{
    public static readonly TimeSpan BlockSpan = TimeSpan.FromMinutes(5);

    private long[] _number = [];
    private ushort[] _sales = [];
    private ushort[] _input = [];
    private int _terminals;
    private DateTimeOffset _foldedThrough = DateTimeOffset.MinValue;

    /// <summary>Forgets everything and keeps <paramref name="reach"/> beyond the lookback for <paramref name="terminals"/> terminals.</summary>
    public void Reset(int terminals, TimeSpan reach)
    {
        var blocks = reach <= TimeSpan.Zero ? 0 : (int)Math.Ceiling(reach / BlockSpan) + 1;
        _terminals = terminals;
        _number = new long[blocks];
        Array.Fill(_number, -1);
        _sales = new ushort[blocks * terminals];
        _input = new ushort[blocks * terminals];
        _foldedThrough = DateTimeOffset.MinValue;
    }

    /// <summary>
    /// Another fleet: each terminal's counts move to its new index (<paramref name="map"/>: old index to new, -1 for a
    /// terminal gone), so a fleet change does not forget the rare window.
    /// </summary>
    public void Remap(int[] map, int terminals)
    {
        var blocks = _number.Length;
        var (sales, input) = (new ushort[blocks * terminals], new ushort[blocks * terminals]);
        for (var slot = 0; slot < blocks; slot++)
            for (var t = 0; t < _terminals && t < map.Length; t++)
            {
                if (map[t] < 0) continue;
                sales[slot * terminals + map[t]] = _sales[slot * _terminals + t];
                input[slot * terminals + map[t]] = _input[slot * _terminals + t];
            }
        (_sales, _input, _terminals) = (sales, input, terminals);
    }

    /// <summary>Adds a minute that has just left the lookback (once: a minute at or before the last one folded is skipped).</summary>
    public void Fold(MinuteCache.Block block)
    {
        if (_number.Length == 0 || block.Minute <= _foldedThrough) return;
        _foldedThrough = block.Minute;
        var number = block.Minute.UtcTicks / BlockSpan.Ticks;
        var slot = (int)(number % _number.Length);
        var sales = _sales.AsSpan(slot * _terminals, _terminals);
        var input = _input.AsSpan(slot * _terminals, _terminals);
        if (_number[slot] != number)
        {
            _number[slot] = number;
            sales.Clear();
            input.Clear();
        }
        var s = Signals.Sales;
        var x = Signals.Index(Signal.Input);
        for (var t = 0; t < _terminals; t++)
        {
            if (!block.Seen[t]) continue;
            var v = block.Of(t);
            sales[t] = (ushort)Math.Min(sales[t] + v[s], ushort.MaxValue);
            input[t] = (ushort)Math.Min(input[t] + v[x], ushort.MaxValue);
        }
    }

    /// <summary>
    /// Terminal <paramref name="t"/>'s sales and input timeouts in the blocks that lie wholly at or after
    /// <paramref name="from"/> and have wholly left the lookback.
    /// </summary>
    public (double Sales, double Input) Of(int t, DateTimeOffset from)
    {
        double sales = 0, input = 0;
        for (var slot = 0; slot < _number.Length; slot++)
        {
            var number = _number[slot];
            if (number < 0) continue;
            var start = new DateTimeOffset(number * BlockSpan.Ticks, TimeSpan.Zero);
            if (start < from || start + BlockSpan > _foldedThrough + TimeSpan.FromMinutes(1)) continue;
            sales += _sales[slot * _terminals + t];
            input += _input[slot * _terminals + t];
        }
        return (sales, input);
    }
}
