using Ebpf.TestKit;

namespace Ebpf.Deploy.Tests;

/// <summary>
/// Each agent's command line as its DaemonSet gives it, on this machine: the manifest's args with the container paths
/// replaced by host paths (the host cgroup2 mount for /host/cgroup, or a test cgroup where the agent attaches), its
/// endpoint on loopback at a free port, and what it must not touch on the host redirected to test-owned places.
/// </summary>
internal sealed class AgentRuns : IDisposable
{
    private readonly TempCgroup cgroup = new("k8s");
    private readonly BpfFs pins = new("k8s");
    private readonly string kubeconfig = Path.Combine(Path.GetTempPath(), RunPrefix.NewName("kubeconfig"));

    public AgentRuns()
    {
        // An API server nobody answers at: enough for the agent to start (it lists pods after attaching, retrying).
        File.WriteAllText(kubeconfig, """
            apiVersion: v1
            kind: Config
            clusters: [{name: none, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
            users: [{name: none, user: {token: none}}]
            contexts: [{name: none, context: {cluster: none, user: none}}]
            current-context: none
            """);
        File.WriteAllText(EmptyPodsFile, """{"pods": []}""");
    }

    public string Cgroup => cgroup.Path;

    /// <summary>A kubeconfig of an API server nobody answers at (127.0.0.1:1).</summary>
    public string Kubeconfig => kubeconfig;

    /// <summary>A mesh-accel pods file with no pod (`--pods-from file:PATH`): the agent attaches and is ready at once.</summary>
    public string EmptyPodsFile { get; } = Path.Combine(Path.GetTempPath(), RunPrefix.NewName("pods") + ".json");
    public string PinDir => Path.Combine(pins.Path, "mesh-accel");

    public int Port { get; } = FreePort();

    /// <summary>The manifest's args for <paramref name="agent"/>, made to run on this host (see the class summary).</summary>
    public string[] Args(string agent)
    {
        var args = Manifests.Container(agent).Args.ToList();
        var option = AgentFacts.Endpoints[agent].Option;
        Replace(args, option, $"127.0.0.1:{Port}");
        if (agent == "sockredir")
            Replace(args, "--cgroup", cgroup.Path); // the whole node in a DaemonSet; a test cgroup here
        else
            Replace(args, "--cgroup-root", cgroup.Root);
        if (agent == "mesh-accel")
            args.AddRange(["--cgroup", cgroup.Path, "--pin-dir", PinDir, "--kubeconfig", kubeconfig]);
        return args.ToArray();
    }

    private static void Replace(List<string> args, string option, string value)
    {
        var i = args.IndexOf(option);
        if (i < 0 || i + 1 >= args.Count)
            throw new InvalidOperationException($"the manifest gives no {option}");
        args[i + 1] = value;
    }

    public static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        // mesh-accel fails closed: its pins keep the programs attached until uninstall
        if (Directory.Exists(PinDir))
            HostCommand.Run("dotnet", AgentBinary.Dll("mesh-accel"), "uninstall", "--pin-dir", PinDir);
        pins.Dispose();
        cgroup.Dispose();
        File.Delete(kubeconfig);
        File.Delete(EmptyPodsFile);
    }
}
