namespace Ebpf.Examples.Sockredir.Redirector;

/// <summary>The one place that picks the loader behind <see cref="IRedirector"/>: the generated skeleton over Ebpf.Runtime.</summary>
internal static class RedirectorFactory
{
    public static IRedirector Create(RedirectorOptions? options = null) => new SkeletonRedirector(options);
}
