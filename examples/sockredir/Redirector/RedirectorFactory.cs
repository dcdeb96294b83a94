namespace Ebpf.Examples.Sockredir.Redirector;

/// <summary>The one place that picks the loader behind <see cref="IRedirector"/>.</summary>
internal static class RedirectorFactory
{
    /// <summary>
    /// TEMPORARY: bpftool loads the object. When the generated SockredirSkel exists (the project then uses
    /// &lt;BpfSource Include="sockredir.bpf.c" /&gt;), this returns the skeleton-backed implementation instead.
    /// </summary>
    public static IRedirector Create() => new BpftoolRedirector(BpftoolRedirector.DefaultObjectPath);
}
