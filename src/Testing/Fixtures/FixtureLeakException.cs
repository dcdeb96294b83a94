namespace Ebpf.Testing;

/// <summary>
/// Thrown by a fixture's Dispose when the test left something behind on what the fixture created: programs still
/// attached to a cgroup or an interface (a link or an attachment that was never disposed or detached). The fixture
/// has cleaned up everything before throwing, so nothing stays on the machine; the exception fails the test that
/// leaked, naming each leftover.
/// </summary>
public sealed class FixtureLeakException(string fixture, IReadOnlyList<string> leaks)
    : Exception($"{fixture} was disposed with {leaks.Count} leftover(s), each a link or attachment the test did not dispose: "
                + string.Join("; ", leaks) + ". Dispose every link (using var link = ...) before the fixture, or set CheckLeaks = false.")
{
    /// <summary>The fixture, e.g. "cgroup /sys/fs/cgroup/ebt1a2b-3cg".</summary>
    public string Fixture { get; } = fixture;

    /// <summary>One line per leftover, e.g. "cgroup_skb/ingress: count_egress (id 42, CgroupSkb)".</summary>
    public IReadOnlyList<string> Leaks { get; } = leaks;
}
