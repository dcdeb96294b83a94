using System.Reflection;
using Ebpf.Internal;
using Ebpf.Maps;
using Ebpf.Object;
using Ebpf.Programs;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// The tables the generator emits skeletons from (ProgramClasses, MapViews in Ebpf.Object) agree with the runtime:
/// for every program type the loader creates the class the table names, and for every map type exactly the view
/// the table names accepts it. Without a kernel: programs get an invalid descriptor, maps are never created.
/// </summary>
public sealed class ProgramAndMapClassesTests
{
    private static readonly Assembly Runtime = typeof(BpfProgram).Assembly;

    [Fact]
    public void EveryProgramTypeGetsTheClassTheGeneratorEmits()
    {
        var created = new HashSet<Type>();
        foreach (var type in Enum.GetValues<ProgramType>())
        {
            using var program = BpfProgram.Create(
                new ProgramSpec("p", "s", type, default, default, null, false, "GPL", 0, new byte[8]), new BpfFd(-1));
            Assert.True(ProgramClasses.FullNameFor(type) == program.GetType().FullName,
                        $"{type}: the runtime creates {program.GetType().FullName}, skeletons declare {ProgramClasses.FullNameFor(type)}");
            created.Add(program.GetType());
        }
        // The other direction: a program class added to the runtime but to neither table would never be created.
        var classes = Runtime.GetExportedTypes().Where(t => typeof(BpfProgram).IsAssignableFrom(t) && !t.IsAbstract).ToList();
        Assert.True(classes.Count >= 17, $"only {classes.Count} program classes found");
        Assert.All(classes, c => Assert.True(created.Contains(c), $"{c.Name} is created for no program type"));
    }

    [Fact]
    public void EveryMapTypeIsAcceptedByExactlyTheViewTheGeneratorEmits()
    {
        var views = Runtime.GetExportedTypes().Where(t => typeof(BpfMapView).IsAssignableFrom(t) && !t.IsAbstract).ToList();
        Assert.True(views.Count >= 16, $"only {views.Count} map views found");
        var used = new HashSet<Type>();
        foreach (var type in Enum.GetValues<MapType>())
        {
            var accepting = views.Where(v => Accepts(v, type)).ToList();
            var (name, shape) = MapViews.For(type);
            if (shape == MapViewShape.Plain)
            {
                Assert.True(accepting.Count == 0, $"{type}: skeletons expose a plain BpfMap but {string.Join(", ", accepting.Select(v => v.Name))} accepts it");
                continue;
            }
            var view = Assert.Single(accepting);
            Assert.Equal($"{MapViews.Namespace}.{name}", view.FullName!.Split('`')[0]);
            Assert.Equal(MapViews.Arity(shape), view.GetGenericArguments().Length);
            used.Add(view);
        }
        Assert.All(views, v => Assert.True(used.Contains(v), $"{v.Name} is the view of no map type in MapViews"));
    }

    /// <summary>True unless the view's constructor rejects the map type (the size checks come after, and pass with 4/4).</summary>
    private static bool Accepts(Type view, MapType type)
    {
        var closed = view.IsGenericTypeDefinition ? view.MakeGenericType(view.GetGenericArguments().Select(_ => typeof(uint)).ToArray()) : view;
        var map = new BpfMap(new MapSpec("m", type, keySize: 4, valueSize: 4, maxEntries: 1));
        try
        {
            Activator.CreateInstance(closed, map);
            return true;
        }
        catch (TargetInvocationException e) when (e.InnerException is ArgumentException a && a.Message.Contains(" serves ", StringComparison.Ordinal))
        {
            return false;
        }
    }
}
