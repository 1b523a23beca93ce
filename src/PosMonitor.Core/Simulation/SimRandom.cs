namespace PosMonitor.Core.Simulation;

/// <summary>
/// A small seeded generator (SplitMix64). Unlike <see cref="Random"/> its sequence is ours, so a seed
/// gives the same fleet and telemetry on every .NET version; and one per terminal keeps the stream
/// deterministic whatever order terminals are visited in.
/// </summary>
internal struct SimRandom(ulong seed)
{
    private ulong _state = seed;

    public static SimRandom For(int seed, string purpose, long index = 0) =>
        new(Mix((ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ Hash(purpose) ^ (ulong)index * 0xD1B54A32D192ED03UL));

    public ulong NextULong()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, <paramref name="max"/>).</summary>
    public int Next(int max) => max <= 0 ? 0 : (int)((NextULong() >> 33) * (ulong)max >> 31);

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int Between(int min, int max) => min + Next(max - min + 1);

    public double Between(double min, double max) => min + NextDouble() * (max - min);

    public bool Chance(double p) => NextDouble() < p;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>Standard normal (Box–Muller).</summary>
    public double Normal()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Log-normal with the given median and spread (sigma of the underlying normal).</summary>
    public double LogNormal(double median, double sigma) => median * Math.Exp(sigma * Normal());

    /// <summary>Exponential with the given mean.</summary>
    public double Exponential(double mean) => -mean * Math.Log(1.0 - NextDouble());

    /// <summary>Index drawn with the given relative weights.</summary>
    public int Weighted(IReadOnlyList<double> weights)
    {
        var total = 0.0;
        foreach (var w in weights) total += w;
        var x = NextDouble() * total;
        for (var i = 0; i < weights.Count; i++)
        {
            x -= weights[i];
            if (x < 0) return i;
        }
        return weights.Count - 1;
    }

    public static ulong Hash(string text)
    {
        // FNV-1a: stable across processes, unlike string.GetHashCode.
        var h = 14695981039346656037UL;
        foreach (var c in text) h = (h ^ c) * 1099511628211UL;
        return h;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
