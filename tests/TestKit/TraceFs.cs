namespace Ebpf.TestKit;

/// <summary>tracefs (tracepoint ids, trace_pipe), mounted at /sys/kernel/tracing when it is missing.</summary>
public static class TraceFs
{
    /// <summary>The tracefs mount point, mounting it if needed.</summary>
    public static string EnsureMounted() => MountedFs.Ensure("tracefs", "/sys/kernel/tracing");

    /// <summary>The id of tracepoint <paramref name="category"/>:<paramref name="name"/> (events/&lt;cat&gt;/&lt;name&gt;/id).</summary>
    public static int TracepointId(string category, string name) =>
        int.Parse(File.ReadAllText(System.IO.Path.Combine(EnsureMounted(), "events", category, name, "id")).Trim());
}
