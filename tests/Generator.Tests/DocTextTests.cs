using Ebpf.Generator.Emitting;
using Ebpf.Generator.Model;

namespace Ebpf.Generator.Tests;

/// <summary>The generated doc comments read as English: singular counts, and each kind of map described by what its
/// numbers mean (a ring buffer by its size, a perf event array by its CPUs, a storage map per owner).</summary>
public class DocTextTests
{
    [Theory]
    [InlineData("Hash", 16u, 32u, 1024u, "Hash, key 16 bytes, value 32 bytes, 1024 entries.")]
    [InlineData("Array", 4u, 1u, 1u, "Array, key 4 bytes, value 1 byte, 1 entry.")]
    [InlineData("RingBuf", 0u, 0u, 65536u, "ring buffer of 65536 bytes; read its records with <c>OpenReader()</c>.")]
    [InlineData("UserRingBuf", 0u, 0u, 4096u, "user ring buffer of 4096 bytes.")]
    [InlineData("PerfEventArray", 4u, 4u, 0u, "perf event array, one buffer per possible CPU; read its records with <c>OpenReader()</c>.")]
    [InlineData("PerfEventArray", 4u, 4u, 1u, "perf event array, 1 slot (one buffer per CPU); read its records with <c>OpenReader()</c>.")]
    [InlineData("Queue", 0u, 8u, 16u, "Queue, no key, value 8 bytes, 16 entries.")]
    [InlineData("PerCpuArray", 4u, 8u, 4u, "PerCpuArray, key 4 bytes, value 8 bytes per CPU, 4 entries.")]
    [InlineData("HashOfMaps", 4u, 4u, 2u, "HashOfMaps, key 4 bytes, values are inner maps, 2 entries.")]
    [InlineData("ProgArray", 4u, 4u, 8u, "ProgArray, key 4 bytes, values are programs, 8 entries.")]
    [InlineData("SockHash", 20u, 4u, 65535u, "SockHash, key 20 bytes, values are sockets, 65535 entries.")]
    [InlineData("SkStorage", 4u, 8u, 0u, "SkStorage, a value of 8 bytes per socket.")]
    [InlineData("TaskStorage", 4u, 1u, 0u, "TaskStorage, a value of 1 byte per task.")]
    public void MapDescriptions(string type, uint key, uint value, uint maxEntries, string expected)
    {
        var map = new MapModel("M", "m", type, "global::Ebpf.Maps.X", IsPlain: false, key, value, maxEntries);
        Assert.Equal(expected, DocText.Map(map));
    }

    [Fact]
    public void ReaderIsMentionedOnlyWhenThePropertyHasOne()
    {
        var plain = new MapModel("M", "m", "RingBuf", "global::Ebpf.Maps.BpfMap", IsPlain: true, 0, 0, 4096);
        Assert.Equal("ring buffer of 4096 bytes.", DocText.Map(plain));
    }

    [Theory]
    [InlineData(0u, "0 bytes")]
    [InlineData(1u, "1 byte")]
    [InlineData(2u, "2 bytes")]
    public void Bytes(uint count, string expected) => Assert.Equal(expected, DocText.Bytes(count));

    [Theory]
    [InlineData(1u, "1 bit")]
    [InlineData(3u, "3 bits")]
    public void Bits(uint count, string expected) => Assert.Equal(expected, DocText.Bits(count));
}
