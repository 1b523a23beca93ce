using System.Runtime.InteropServices;

namespace PosMonitor.Web.Infrastructure.Observability;

/// <summary>
/// Caps the C library's malloc arenas (glibc on Linux) before the host starts its threads. glibc gives each thread that
/// finds the others' arenas busy one of its own, up to eight per core, and each keeps what it freed: at 200,000
/// terminals the native side (SQLite's page caches and statements, the runtime's own allocations) held ~500 MB beside a
/// ~900 MB GC heap, and two arenas took ~150 MB of it back with no slower tick or ingestion
/// (tests/PosMonitor.Benchmarks/README.md). <c>MALLOC_ARENA_MAX</c> set in the environment wins: glibc read it at start.
/// </summary>
internal static class MallocArenas
{
    public const int Default = 2;

    // mallopt's parameter number for the arena cap (glibc's malloc.h).
    private const int ArenaMax = -8;

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int param, int value);

    /// <summary>Whether the cap was set (false off Linux, under another C library, or with <c>MALLOC_ARENA_MAX</c> given).</summary>
    public static bool Limit(int arenas = Default)
    {
        if (!OperatingSystem.IsLinux() || arenas < 1) return false;
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX"))) return false;
        try
        {
            return Mallopt(ArenaMax, arenas) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }
}
