using k8s;
using k8s.Models;
using Ebpf.TestKit;

namespace Ebpf.Deploy.Tests;

/// <summary>
/// deploy/kubernetes parsed into KubernetesClient's typed models. KubernetesYaml.LoadAllFromString with strict: true
/// (the file and stream overloads ignore strict), so a field the models do not know, a misspelling, fails the parse.
/// </summary>
internal static class Manifests
{
    public static string Directory => Path.Combine(RepoPaths.Root, "deploy", "kubernetes");

    public static readonly string[] Agents = ["tcptop", "sockredir", "mesh-accel"];

    public static List<object> Load(string file) => Parse(File.ReadAllText(Path.Combine(Directory, file)));

    public static List<object> Parse(string yaml) => KubernetesYaml.LoadAllFromString(yaml, strict: true);

    public static V1DaemonSet DaemonSet(string agent) => Load(agent + ".yaml").OfType<V1DaemonSet>().Single();

    public static V1Container Container(string agent) => DaemonSet(agent).Spec.Template.Spec.Containers.Single();

    /// <summary>The capabilities the manifest adds, as the kernel names them (CAP_BPF, ...).</summary>
    public static IReadOnlyList<string> Capabilities(V1Container c) => c.SecurityContext.Capabilities.Add.Select(n => "CAP_" + n).ToArray();
}
