using System.Globalization;
using System.Text.RegularExpressions;

namespace Ebpf.TestKit;

/// <summary>
/// podman as the image tests run it on this VM (docs/deploy.md, "Images"): vfs storage and the cgroupfs manager
/// globally, and for containers the runc runtime (crun refuses the hybrid cgroup layout) and explicit ulimits no higher
/// than this process's hard limits (podman's defaults exceed them, and the runtime's setrlimit fails). The agents'
/// images come from scripts/build-images.sh, built once per test run.
/// </summary>
public static partial class Podman
{
    private static readonly string[] Global = ["--storage-driver", "vfs", "--cgroup-manager", "cgroupfs"];
    private static readonly Dictionary<string, Lazy<string>> images = new(StringComparer.Ordinal);

    /// <summary>Skips (or, under CI=true, fails) unless podman is installed; also requires root.</summary>
    public static void Require()
    {
        Kernel.RequireRoot();
        Kernel.RequireTool("podman", "podman");
    }

    /// <summary>The repository's version (Directory.Build.props), which the images are tagged with.</summary>
    public static string Version { get; } = VersionProperty().Match(File.ReadAllText(Path.Combine(RepoPaths.Root, "Directory.Build.props"))) is { Success: true } m
        ? m.Groups[1].Value : throw new InvalidOperationException("no <Version> in Directory.Build.props");

    /// <summary>
    /// The image of <paramref name="agent"/> (tcptop, sockredir, mesh-accel), built by scripts/build-images.sh the first
    /// time a test asks for it in this run (it publishes the agent, which takes minutes); its local name.
    /// </summary>
    public static string AgentImage(string agent)
    {
        Lazy<string> image;
        lock (images)
        {
            if (!images.TryGetValue(agent, out image!))
                images[agent] = image = new Lazy<string>(() => Build(agent));
        }
        return image.Value;
    }

    /// <summary>Runs `podman GLOBAL ARGS` to completion (default timeout 2 minutes).</summary>
    public static CommandResult Run(IEnumerable<string> args, TimeSpan? timeout = null) =>
        HostCommand.Run("podman", [.. Global, .. args], timeout ?? TimeSpan.FromMinutes(2));

    /// <summary>The arguments of `podman GLOBAL ARGS`, for a caller that starts it itself (a container in the foreground).</summary>
    public static string[] Command(IEnumerable<string> args) => [.. Global, .. args];

    /// <summary>
    /// The options every `podman run` needs here: runc, and nofile/nproc ulimits at this process's hard limits.
    /// </summary>
    public static string[] RunOptions() =>
        ["--runtime", "runc", "--ulimit", $"nofile={HardLimit("Max open files")}", "--ulimit", $"nproc={HardLimit("Max processes")}"];

    private static string Build(string agent)
    {
        var script = Path.Combine(RepoPaths.Root, "scripts", "build-images.sh");
        var result = HostCommand.Run(script, [agent], TimeSpan.FromMinutes(20), RepoPaths.Root);
        result.EnsureSuccess();
        return $"localhost/ebpf-net/{agent}:{Version}";
    }

    /// <summary>
    /// "N:N" from /proc/self/limits' hard column, capped at 32,768: measured here, runc refuses (EPERM) an nproc
    /// limit above that even when the hard limit is higher; it is plenty for any agent.
    /// </summary>
    private static string HardLimit(string name)
    {
        var line = File.ReadLines("/proc/self/limits").First(l => l.StartsWith(name, StringComparison.Ordinal));
        var hard = line[name.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var n = hard == "unlimited" ? 32768 : Math.Min(long.Parse(hard, CultureInfo.InvariantCulture), 32768);
        return $"{n}:{n}";
    }

    [GeneratedRegex("<Version>([^<]+)</Version>")]
    private static partial Regex VersionProperty();
}
