namespace Ebpf.Deploy.Tests;

/// <summary>
/// What each agent needs, as found by trial on this kernel (HostCapabilityTests runs the trial again: the agent works
/// with exactly this set and fails, naming the capability, with any one of it dropped). The manifests must say the same.
/// </summary>
internal static class AgentFacts
{
    public static readonly IReadOnlyDictionary<string, string[]> Capabilities = new Dictionary<string, string[]>
    {
        ["tcptop"] = ["BPF", "PERFMON"],
        ["sockredir"] = ["BPF", "NET_ADMIN", "PERFMON"],
        ["mesh-accel"] = ["BPF", "NET_ADMIN", "PERFMON", "SYS_PTRACE"],
    };

    /// <summary>The HTTP endpoint each agent's probes ask: option that sets its address, port, liveness and readiness paths.</summary>
    public static readonly IReadOnlyDictionary<string, (string Option, int Port, string Path, string ReadyPath)> Endpoints =
        new Dictionary<string, (string, int, string, string)>
        {
            ["tcptop"] = ("--listen", 19435, "/metrics", "/metrics"),
            ["sockredir"] = ("--health", 19436, "/healthz", "/readyz"),
            ["mesh-accel"] = ("--health", 19437, "/healthz", "/readyz"),
        };

    /// <summary>The option that points the agent at the host's cgroup2 hierarchy.</summary>
    public static readonly IReadOnlyDictionary<string, string> CgroupOption = new Dictionary<string, string>
    {
        ["tcptop"] = "--cgroup-root",
        ["sockredir"] = "--cgroup",
        ["mesh-accel"] = "--cgroup-root",
    };

    public const string HostCgroupMount = "/host/cgroup";
}
