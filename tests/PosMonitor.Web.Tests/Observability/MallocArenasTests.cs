using PosMonitor.Web.Infrastructure.Observability;

namespace PosMonitor.Web.Tests.Observability;

public class MallocArenasTests
{
    [Fact]
    public void The_arena_cap_reaches_glibc_on_linux_unless_the_environment_sets_its_own()
    {
        var given = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX"));
        // This machine's C library is glibc (Debian): mallopt answers 1 when it took the value.
        Assert.Equal(OperatingSystem.IsLinux() && !given, MallocArenas.Limit());
        Assert.False(MallocArenas.Limit(arenas: 0));
    }
}
