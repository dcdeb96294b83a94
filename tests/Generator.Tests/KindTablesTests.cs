using System.Text.RegularExpressions;
using Ebpf.Maps;
using Ebpf.Object;
using Ebpf.Programs;
using Ebpf.TestKit;

namespace Ebpf.Generator.Tests;

/// <summary>The program and map tables the generator emits from (in Ebpf.Object) agree with docs/skeleton-contract.md;
/// ProgramAndMapClassesTests (Runtime.Tests) holds the same tables against the runtime's classes.</summary>
public partial class KindTablesTests
{
    private static string Contract => File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "skeleton-contract.md"));

    [Fact]
    public void ProgramClassesMatchTheContractTable()
    {
        var checkedTypes = 0;
        foreach (Match row in ProgramRow().Matches(Contract))
        {
            var classes = Regex.Matches(row.Groups["classes"].Value, "`(\\w+)`").Select(m => m.Groups[1].Value).ToList();
            var types = Regex.Matches(row.Groups["types"].Value, "\\b[A-Z][A-Z_]{2,}\\b").Select(m => m.Value).ToList();
            if (classes.Count == 1 && classes[0] == "BpfProgram")
                continue;
            if (types.Count == 0)
            {
                // "the cgroup kinds": each class is named after its type.
                foreach (var cls in classes)
                {
                    var type = Enum.Parse<ProgramType>(cls[..^"Program".Length]);
                    Assert.Equal(cls, ProgramClasses.NameFor(type));
                    checkedTypes++;
                }
                continue;
            }
            foreach (var name in types)
            {
                var type = Enum.Parse<ProgramType>(name.Replace("_", ""), ignoreCase: true);
                Assert.Equal(classes[0], ProgramClasses.NameFor(type));
                checkedTypes++;
            }
        }
        Assert.True(checkedTypes >= 17, $"only {checkedTypes} program types found in the contract table");
        Assert.Equal("RawTracepointProgram", ProgramClasses.NameFor(ProgramType.RawTracepointWritable));
        Assert.Equal("BpfProgram", ProgramClasses.NameFor(ProgramType.Lsm));
        Assert.Equal("BpfProgram", ProgramClasses.NameFor(ProgramType.Unspec));
    }

    [Fact]
    public void EveryTypedMapViewIsOneTheContractDeclares()
    {
        var declared = Regex.Matches(Contract, "new (\\w+)(<[^>]*>)?\\(BpfMap map\\)")
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Count(c => c == ',') + (m.Groups[2].Success ? 1 : 0));
        foreach (var type in Enum.GetValues<MapType>())
        {
            var (cls, shape) = MapViews.For(type);
            if (shape == MapViewShape.Plain)
            {
                Assert.Equal("BpfMap", cls);
                continue;
            }
            Assert.True(declared.ContainsKey(cls), $"{type} -> {cls}, which docs/skeleton-contract.md does not declare");
            Assert.Equal(declared[cls], MapViews.Arity(shape));
        }
    }

    [GeneratedRegex(@"^\| (?<classes>`\w+`(?:, `\w+`)*) \| (?<types>[^|\n]*)", RegexOptions.Multiline)]
    private static partial Regex ProgramRow();
}
