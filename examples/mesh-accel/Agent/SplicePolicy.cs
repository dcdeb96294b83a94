namespace Ebpf.Examples.MeshAccel.Agent;

/// <summary>
/// When a mesh hop is spliced (mesh-accel.bpf.c's splice_pays): putting a socket into the sockmap costs more than one
/// request and response save, so after <c>UnspliceAfter</c> short connections in a row to an original destination (reported
/// by the sidecars' accepted sockets as they close), new connections to it are not spliced until one is long again.
/// 0 splices every connection (the benchmark's "every connection" path).
/// </summary>
internal static class SplicePolicy
{
    public const uint DefaultUnspliceAfter = 16;

    public static void Apply(MeshAccelSkel skel, uint unspliceAfter) => skel.Rodata.UnspliceAfter = unspliceAfter;
}
