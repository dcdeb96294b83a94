namespace Ebpf.Examples.Tests.Sockredir;

/// <summary>
/// The sockredir tests attach cgroup programs and move the test process into a test cgroup while they open
/// sockets (a socket belongs to the cgroup of the process that creates it): they run one at a time, after
/// the parallel collections, so no other test's socket is created in that window.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SockredirCollection
{
    public const string Name = "sockredir (kernel)";
}
