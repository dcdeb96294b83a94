using Ebpf.Examples.MeshAccel.Lab;
using Xunit;

namespace Ebpf.Examples.Tests.MeshAccel;

/// <summary>
/// The contract: the same calls in a lab intercepted by istio-iptables' rules and in one intercepted by mesh-accel give
/// the same answers and the same sidecar hops, and both give the hops the contract says (<see cref="EquivalenceMatrix"/>).
/// </summary>
[Collection(MeshAccelCollection.Name)]
public sealed class MeshEquivalenceTests
{
    [Fact]
    public void TheWholeMatrixTakesTheSameHopsUnderIptablesAndMeshAccel()
    {
        var results = new Dictionary<string, CallResult[]>();
        foreach (var mode in new[] { LabMode.Iptables, LabMode.Ebpf })
        {
            using var lab = new LabUnderTest(mode);
            results[mode == LabMode.Iptables ? "iptables" : "mesh-accel"] = EquivalenceMatrix.Run(lab.Layout, EquivalenceMatrix.Matrix);
        }
        EquivalenceMatrix.AssertAllMatch(EquivalenceMatrix.Matrix, results);
    }
}
