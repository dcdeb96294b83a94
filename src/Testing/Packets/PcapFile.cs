using System.Buffers.Binary;

namespace Ebpf.Testing;

/// <summary>
/// Writes frames to a classic pcap file (Ethernet link type), for reading in tcpdump or Wireshark: the frames a test
/// built and the ones a program returned, when a field diff is not enough.
/// </summary>
public static class PcapFile
{
    private const uint Magic = 0xa1b2c3d4;  // microsecond timestamps, written little-endian
    private const uint LinkTypeEthernet = 1;

    /// <summary>Writes <paramref name="frames"/> to <paramref name="path"/>, one record each, timestamps one microsecond apart.</summary>
    public static void Write(string path, IEnumerable<byte[]> frames)
    {
        using var file = File.Create(path);
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);      // version 2.4
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 65535); // snapshot length
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], LinkTypeEthernet);
        file.Write(header);
        Span<byte> record = stackalloc byte[16];
        uint n = 0;
        foreach (var frame in frames)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(record[4..], n++);
            BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)frame.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)frame.Length);
            file.Write(record);
            file.Write(frame);
        }
    }
}
