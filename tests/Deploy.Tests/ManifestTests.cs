using k8s;
using k8s.Models;

namespace Ebpf.Deploy.Tests;

/// <summary>The manifests in deploy/kubernetes, parsed strictly into typed models, checked field by field.</summary>
public sealed class ManifestTests
{
    public static TheoryData<string> Files() => new(Directory.EnumerateFiles(Manifests.Directory, "*.yaml")
        .Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order()!);

    public static TheoryData<string> Agents() => new(Manifests.Agents);

    [Theory, MemberData(nameof(Files))]
    public void Every_manifest_parses_strictly_into_typed_objects(string file)
    {
        var objects = Manifests.Load(file);
        Assert.NotEmpty(objects);
        Assert.All(objects, o => Assert.IsAssignableFrom<IKubernetesObject<V1ObjectMeta>>(o));
        Assert.All(objects.Cast<IKubernetesObject<V1ObjectMeta>>().Where(o => o is not V1Namespace and not V1ClusterRole and not V1ClusterRoleBinding),
            o => Assert.Equal("ebpf-net", o.Metadata.NamespaceProperty));
    }

    [Fact]
    public void A_misspelled_field_fails_the_parse()
    {
        var text = File.ReadAllText(Path.Combine(Manifests.Directory, "tcptop.yaml"));
        Assert.NotEmpty(Manifests.Parse(text)); // the file itself parses
        foreach (var (right, wrong) in new[] { ("terminationGracePeriodSeconds:", "terminationGracePeriodSecond:"), ("readOnly: true", "readonly: true"), ("  hostPID:", "  hostPid:") })
        {
            Assert.Contains(right, text);
            var bad = text.Replace(right, wrong);
            Assert.ThrowsAny<Exception>(() => Manifests.Parse(bad));
        }
    }

    [Theory, MemberData(nameof(Agents))]
    public void The_DaemonSet_runs_on_every_node_as_node_critical(string agent)
    {
        var spec = Manifests.DaemonSet(agent).Spec.Template.Spec;
        Assert.Equal("system-node-critical", spec.PriorityClassName);
        // one toleration with operator Exists and no key or effect tolerates every taint
        Assert.Contains(spec.Tolerations, t => t.OperatorProperty == "Exists" && t.Key is null && t.Effect is null);
        var env = Manifests.Container(agent).Env.Single(e => e.Name == "NODE_NAME");
        Assert.Equal("spec.nodeName", env.ValueFrom.FieldRef.FieldPath);
        Assert.InRange(spec.TerminationGracePeriodSeconds ?? 0, 5, 30);
    }

    [Theory, MemberData(nameof(Agents))]
    public void Requests_and_limits_are_set_and_requests_fit_the_limits(string agent)
    {
        var r = Manifests.Container(agent).Resources;
        foreach (var name in new[] { "cpu", "memory" })
        {
            Assert.True(r.Requests.ContainsKey(name), $"{agent}: no {name} request");
            Assert.True(r.Limits.ContainsKey(name), $"{agent}: no {name} limit");
            Assert.True(r.Requests[name].ToDecimal() <= r.Limits[name].ToDecimal(), $"{agent}: {name} request above its limit");
        }
    }

    [Theory, MemberData(nameof(Agents))]
    public void Privileges_are_named_capabilities_found_by_trial_and_nothing_more(string agent)
    {
        var c = Manifests.Container(agent);
        var sc = c.SecurityContext;
        Assert.NotEqual(true, sc.Privileged);
        Assert.False(sc.AllowPrivilegeEscalation);
        Assert.True(sc.ReadOnlyRootFilesystem);
        Assert.Equal("Unconfined", sc.SeccompProfile.Type); // docs/deploy.md: some RuntimeDefault profiles refuse bpf(2) without CAP_SYS_ADMIN
        Assert.Equal(["ALL"], sc.Capabilities.Drop);
        Assert.Equal(AgentFacts.Capabilities[agent], sc.Capabilities.Add.Order());
        Assert.DoesNotContain("SYS_ADMIN", sc.Capabilities.Add);
        var spec = Manifests.DaemonSet(agent).Spec.Template.Spec;
        Assert.NotEqual(true, spec.HostNetwork);
        // only mesh-accel looks at the node's processes (a pod's namespace is found by address among them)
        Assert.Equal(agent == "mesh-accel", spec.HostPID == true);
    }

    [Theory, MemberData(nameof(Agents))]
    public void The_host_cgroup2_is_mounted_at_a_path_of_its_own_and_given_to_the_agent(string agent)
    {
        var c = Manifests.Container(agent);
        var spec = Manifests.DaemonSet(agent).Spec.Template.Spec;
        var mount = c.VolumeMounts.Single(m => m.MountPath == AgentFacts.HostCgroupMount);
        var volume = spec.Volumes.Single(v => v.Name == mount.Name);
        Assert.Equal("/sys/fs/cgroup", volume.HostPath.Path);
        Assert.Equal(AgentFacts.HostCgroupMount, OptionValue(c.Args, AgentFacts.CgroupOption[agent]));
        var btf = c.VolumeMounts.Single(m => m.MountPath == "/sys/kernel/btf");
        Assert.True(btf.ReadOnlyProperty);
        Assert.Equal("/sys/kernel/btf", spec.Volumes.Single(v => v.Name == btf.Name).HostPath.Path);
        var bpffs = c.VolumeMounts.SingleOrDefault(m => m.MountPath == "/sys/fs/bpf");
        Assert.Equal(agent == "mesh-accel", bpffs is not null);
        if (bpffs is not null)
            Assert.Equal("/sys/fs/bpf", spec.Volumes.Single(v => v.Name == bpffs.Name).HostPath.Path);
    }

    [Theory, MemberData(nameof(Agents))]
    public void Probes_ask_the_endpoint_the_agent_serves(string agent)
    {
        var c = Manifests.Container(agent);
        var (option, port, path, readyPath) = AgentFacts.Endpoints[agent];
        Assert.Equal($":{port}", OptionValue(c.Args, option));
        var named = c.Ports.Single(p => p.ContainerPort == port);
        foreach (var (probe, expected) in new[] { (c.LivenessProbe, path), (c.ReadinessProbe, readyPath) })
        {
            Assert.NotNull(probe);
            Assert.Equal(expected, probe.HttpGet.Path);
            Assert.Equal(named.Name, probe.HttpGet.Port.Value);
        }
    }

    [Fact]
    public void Tcptop_metrics_carry_the_prometheus_scrape_annotations()
    {
        var annotations = Manifests.DaemonSet("tcptop").Spec.Template.Metadata.Annotations;
        Assert.Equal("true", annotations["prometheus.io/scrape"]);
        Assert.Equal(AgentFacts.Endpoints["tcptop"].Port.ToString(), annotations["prometheus.io/port"]);
        Assert.Equal("/metrics", annotations["prometheus.io/path"]);
    }

    [Fact]
    public void Mesh_accel_reads_pods_and_nothing_more()
    {
        var objects = Manifests.Load("mesh-accel.yaml");
        var account = objects.OfType<V1ServiceAccount>().Single();
        var role = objects.OfType<V1ClusterRole>().Single();
        var binding = objects.OfType<V1ClusterRoleBinding>().Single();
        var rule = Assert.Single(role.Rules);
        Assert.Equal([""], rule.ApiGroups);
        Assert.Equal(["pods"], rule.Resources);
        Assert.Equal(["get", "list", "watch"], rule.Verbs.Order());
        Assert.Null(rule.ResourceNames);
        Assert.Equal(role.Metadata.Name, binding.RoleRef.Name);
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal((account.Metadata.Name, account.Metadata.NamespaceProperty), (subject.Name, subject.NamespaceProperty));
        Assert.Equal(account.Metadata.Name, Manifests.DaemonSet("mesh-accel").Spec.Template.Spec.ServiceAccountName);
        // the others talk to no API server
        Assert.All(new[] { "tcptop", "sockredir" }, a => Assert.False(Manifests.DaemonSet(a).Spec.Template.Spec.AutomountServiceAccountToken));
    }

    [Fact]
    public void The_uninstall_job_puts_one_pod_on_each_node_with_the_agents_paths()
    {
        var job = Manifests.Load("mesh-accel-uninstall.yaml").OfType<V1Job>().Single();
        var agent = Manifests.Container("mesh-accel");
        var pod = job.Spec.Template.Spec;
        var c = pod.Containers.Single();
        Assert.Equal(["uninstall"], c.Args);
        Assert.Equal(agent.Image, c.Image);
        Assert.Equal("Indexed", job.Spec.CompletionMode);
        Assert.Equal(job.Spec.Completions, job.Spec.Parallelism);
        var anti = Assert.Single(pod.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution);
        Assert.Equal("kubernetes.io/hostname", anti.TopologyKey);
        Assert.All(anti.LabelSelector.MatchLabels, l => Assert.Equal(l.Value, job.Spec.Template.Metadata.Labels[l.Key]));
        Assert.Contains(pod.Tolerations, t => t.OperatorProperty == "Exists" && t.Key is null && t.Effect is null);
        Assert.Equal("system-node-critical", pod.PriorityClassName);
        Assert.Equal(["ALL"], c.SecurityContext.Capabilities.Drop);
        Assert.Equal(["NET_ADMIN"], c.SecurityContext.Capabilities.Add);
        // the pins, the installation's files and the cgroup at the DaemonSet's paths, from the same host paths
        var agentSpec = Manifests.DaemonSet("mesh-accel").Spec.Template.Spec;
        foreach (var path in new[] { "/sys/fs/bpf", "/run/mesh-accel", AgentFacts.HostCgroupMount })
        {
            string HostPath(V1PodSpec spec, V1Container container) =>
                spec.Volumes.Single(v => v.Name == container.VolumeMounts.Single(m => m.MountPath == path).Name).HostPath.Path;
            Assert.Equal(HostPath(agentSpec, agent), HostPath(pod, c));
        }
    }

    [Fact]
    public void The_kustomization_lists_existing_files_never_both_sockops_owners_and_not_the_cleanup_job()
    {
        var text = File.ReadAllLines(Path.Combine(Manifests.Directory, "kustomization.yaml"));
        var resources = text.SkipWhile(l => l != "resources:").Skip(1).TakeWhile(l => l.StartsWith("  - ", StringComparison.Ordinal))
            .Select(l => l[4..].Trim()).ToArray();
        Assert.Contains("tcptop.yaml", resources);
        Assert.All(resources, r => Assert.True(File.Exists(Path.Combine(Manifests.Directory, r)), r));
        Assert.False(resources.Contains("sockredir.yaml") && resources.Contains("mesh-accel.yaml"), "sockredir and mesh-accel both own sockops and sk_msg");
        Assert.DoesNotContain("mesh-accel-uninstall.yaml", resources);
        Assert.Contains("namespace: ebpf-net", text);
        foreach (var file in new[] { "sockredir.yaml", "mesh-accel.yaml" })
            Assert.Contains("NOT TOGETHER WITH", File.ReadAllText(Path.Combine(Manifests.Directory, file)));
    }

    private static string? OptionValue(IList<string> args, string option)
    {
        var i = args.IndexOf(option);
        return i >= 0 && i + 1 < args.Count ? args[i + 1] : null;
    }
}
