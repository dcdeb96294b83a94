using System.Buffers.Binary;
using System.Text;
using Ebpf.Internal;

namespace Ebpf.Links;

/// <summary>
/// Finds a function in an executable or shared library (64-bit little-endian ELF) and turns its address into
/// the file offset a uprobe wants: st_value - section address + section file offset of the section it lives in.
/// </summary>
internal static class ElfSymbols
{
    private const uint SHT_SYMTAB = 2, SHT_DYNSYM = 11;
    private const int STT_FUNC = 2, STT_GNU_IFUNC = 10;
    private static readonly string[] libraryDirs =
        ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"];

    /// <summary>A path as given when it exists; a bare name is looked up in PATH, then in the usual library directories.</summary>
    public static string ResolveBinary(string binary)
    {
        ArgumentException.ThrowIfNullOrEmpty(binary);
        if (binary.Contains('/'))
            return File.Exists(binary) ? Path.GetFullPath(binary)
                : throw new BpfAttachException($"cannot attach a uprobe to '{binary}': no such file", Errno.ENOENT);
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(libraryDirs);
        foreach (var dir in dirs)
        {
            var candidate = Path.Combine(dir, binary);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new BpfAttachException($"cannot attach a uprobe to '{binary}': not found in PATH or the library directories; give its full path", Errno.ENOENT);
    }

    /// <summary>The file offset of function <paramref name="symbol"/> in <paramref name="path"/>.</summary>
    public static ulong FileOffset(string path, string symbol)
    {
        var elf = File.ReadAllBytes(path);
        var s = elf.AsSpan();
        if (s.Length < 64 || s[0] != 0x7f || s[1] != (byte)'E' || s[2] != (byte)'L' || s[3] != (byte)'F')
            throw new BpfAttachException($"cannot attach a uprobe to {path}: not an ELF file");
        if (s[4] != 2 || s[5] != 1)
            throw new BpfAttachException($"cannot attach a uprobe to {path}: only 64-bit little-endian ELF files are supported");
        var shoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(s[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(s[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(s[0x3C..]);
        if (shentsize < 64 || shoff <= 0 || shoff + (long)shnum * shentsize > s.Length)
            throw new BpfAttachException($"cannot attach a uprobe to {path}: malformed section header table");

        Section Sec(int i)
        {
            var h = elf.AsSpan((int)(shoff + (long)i * shentsize), 64);
            return new Section(BinaryPrimitives.ReadUInt32LittleEndian(h[4..]), BinaryPrimitives.ReadUInt64LittleEndian(h[16..]),
                               BinaryPrimitives.ReadUInt64LittleEndian(h[24..]), BinaryPrimitives.ReadUInt64LittleEndian(h[32..]),
                               BinaryPrimitives.ReadUInt32LittleEndian(h[40..]), BinaryPrimitives.ReadUInt64LittleEndian(h[56..]));
        }

        // .symtab (when not stripped) has local functions too; .dynsym has the exported ones.
        var wanted = Encoding.UTF8.GetBytes(symbol);
        foreach (var tableType in new[] { SHT_SYMTAB, SHT_DYNSYM })
        {
            for (var i = 0; i < shnum; i++)
            {
                var table = Sec(i);
                if (table.Type != tableType || table.EntSize < 24 || table.Link >= shnum)
                    continue;
                var strtab = Sec((int)table.Link);
                if (table.Offset + table.Size > (ulong)s.Length || strtab.Offset + strtab.Size > (ulong)s.Length)
                    continue;
                var strings = s.Slice((int)strtab.Offset, (int)strtab.Size);
                for (ulong off = 0; off + 24 <= table.Size; off += table.EntSize)
                {
                    var sym = s.Slice((int)(table.Offset + off), 24);
                    var kind = sym[4] & 0xf;
                    if (kind != STT_FUNC && kind != STT_GNU_IFUNC)
                        continue;
                    var nameOff = (int)BinaryPrimitives.ReadUInt32LittleEndian(sym);
                    if (nameOff >= strings.Length)
                        continue;
                    var name = strings[nameOff..];
                    var end = name.IndexOf((byte)0);
                    if (end < 0 || !name[..end].SequenceEqual(wanted))
                        continue;
                    int shndx = BinaryPrimitives.ReadUInt16LittleEndian(sym[6..]);
                    var value = BinaryPrimitives.ReadUInt64LittleEndian(sym[8..]);
                    if (shndx == 0 || shndx >= shnum)
                        continue; // undefined here (imported from another library)
                    var home = Sec(shndx);
                    return value - home.Address + home.Offset;
                }
            }
        }
        throw new BpfAttachException($"cannot attach a uprobe: {path} has no function named '{symbol}' in .symtab or .dynsym "
                                     + "(a stripped binary keeps only exported functions; a C++ name must be given mangled)", Errno.ENOENT);
    }

    private readonly record struct Section(uint Type, ulong Address, ulong Offset, ulong Size, uint Link, ulong EntSize);
}
