namespace Ebpf.Examples.XdpProxy.DataPlane;

/// <summary>The one place that picks the loader behind <see cref="IDataPlane"/>.</summary>
internal static class DataPlaneFactory
{
    public static IDataPlane Create() => new SkeletonDataPlane();
}
