using Ebpf.Generator.Parsing;
using Ebpf.Generator.Tests.Harness;
using Ebpf.Object;

namespace Ebpf.Generator.Tests;

public class NamingTests
{
    [Theory]
    [InlineData("flow_key", "FlowKey")]
    [InlineData("XDP_PASS", "XdpPass")]
    [InlineData("dstPort", "DstPort")]
    [InlineData("__u32", "U32")]
    [InlineData(".data.custom", "DataCustom")]
    [InlineData("1st", "_1st")]
    [InlineData("class", "Class")]
    [InlineData("a\"b\n/*c", "ABC")]
    [InlineData("ünï\u2028", "N")]
    [InlineData("", "")]
    [InlineData("___", "")]
    public void PascalCaseKeepsOnlyAsciiIdentifierCharacters(string raw, string expected) =>
        Assert.Equal(expected, Identifiers.ToPascal(raw));

    [Fact]
    public void ClashesGetTheLowestFreeSuffixAndInheritedMembersAreNeverUsed()
    {
        var scope = new NameScope("FlowKey");
        Assert.Equal("FlowKey1", scope.Take("FlowKey", "X"));
        Assert.Equal("FlowKey2", scope.Take("FlowKey", "X"));
        Assert.Equal("ToString1", scope.Take("ToString", "X"));
        Assert.Equal("GetHashCode1", scope.Take("GetHashCode", "X"));
        Assert.Equal("Field", scope.Take("", "Field", out var renamed));
        Assert.True(renamed);
        Assert.Equal("Field1", scope.Take("", "Field"));
    }

    [Theory]
    [InlineData("XDP-proxy.bpf.c")]
    [InlineData("XDP-proxy.bpf.o")]
    [InlineData("obj/Debug/bpf/XDP-proxy.bpf.o.b64")]
    [InlineData("xdp_proxy.c")]
    public void TaskAndGeneratorDeriveOneDefaultSkeletonName(string file) =>
        Assert.Equal("XdpProxySkel", SkeletonNames.FromFileName(file));

    [Fact]
    public void WithoutASkeletonNameTheGeneratorUsesTheTasksDefault()
    {
        var input = ObjectInput.ForTestObject("gen_maps.bpf.c") with { SkeletonName = "", Path = "/obj/Debug/bpf/XDP-proxy.bpf.o.b64" };
        var result = GeneratorHarness.Run(input);
        Assert.Contains("public sealed partial class XdpProxySkel", result.SingleSource);
    }

    [Fact]
    public void VeryLongNamesAreCut()
    {
        var name = Identifiers.ToPascal(new string('a', 5000));
        Assert.True(name.Length <= 128);
    }

    [Theory]
    [InlineData("My.App", "My.App")]
    [InlineData("My..App.", "My.App")]
    [InlineData("9lives.x-y", "_9lives.xy")]
    [InlineData("", "")]
    public void NamespacesKeepValidParts(string raw, string expected) => Assert.Equal(expected, Identifiers.ToNamespace(raw));

    [Fact]
    public void StringLiteralsEscapeEverythingOutsidePrintableAscii()
    {
        Assert.Equal("\"a\\\"b\\\\c\\u000a\\u2028\\ud800\"", Emitting.Literals.String("a\"b\\c\n\u2028\ud800"));
    }

    [Fact]
    public void CommentsNeverContainLineBreaksOrMarkup()
    {
        var text = Identifiers.ForComment("x\n*/<b>&\u2028\u0085\r");
        Assert.Equal("x?*/&lt;b&gt;&amp;???", text);
    }
}
