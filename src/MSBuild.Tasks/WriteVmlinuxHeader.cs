using Ebpf.Btf;
using Ebpf.Build.Vmlinux;
using Ebpf.Object;
using Microsoft.Build.Framework;

namespace Ebpf.Build;

/// <summary>
/// Writes <c>vmlinux.h</c> (every kernel type as C, for CO-RE programs) from the kernel's BTF, with our own
/// BTF-to-C writer (<see cref="VmlinuxWriter"/>); no bpftool at build time. The targets run it only when
/// the BTF file is newer than the header.
/// </summary>
public sealed class WriteVmlinuxHeader : Microsoft.Build.Utilities.Task
{
    [Required]
    public string BtfFile { get; set; } = "";

    [Required]
    public string OutputFile { get; set; } = "";

    public override bool Execute()
    {
        if (!File.Exists(BtfFile))
        {
            Log.LogError(null, BuildErrors.NoKernelBtf, null, null, 0, 0, 0, 0, BtfFile == "/sys/kernel/btf/vmlinux"
                ? "Ebpf.Build: BpfGenerateVmlinuxHeader is true but this kernel has no BTF at /sys/kernel/btf/vmlinux (it was built without CONFIG_DEBUG_INFO_BTF). Set BpfVmlinuxBtf to a BTF file from a kernel that has it, or check in a vmlinux.h and turn BpfGenerateVmlinuxHeader off."
                : $"Ebpf.Build: BpfVmlinuxBtf names '{BtfFile}', which does not exist. Point it at a kernel BTF file (like /sys/kernel/btf/vmlinux).");
            return false;
        }
        Log.LogMessage(MessageImportance.High, $"Ebpf.Build: writing vmlinux.h from {BtfFile}");
        BtfSpec spec;
        try
        {
            var bytes = File.ReadAllBytes(BtfFile);
            // The byte order is in the magic (0xeB9F): 9F EB on little-endian machines.
            spec = BtfSpec.Parse(bytes, littleEndian: bytes.Length < 2 || bytes[0] == 0x9F);
        }
        catch (ObjectFormatException e)
        {
            Log.LogError(null, BuildErrors.NoKernelBtf, null, null, 0, 0, 0, 0, $"Ebpf.Build: '{BtfFile}' is not valid BTF: {e.Message}");
            return false;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(OutputFile))!);
        var tmp = OutputFile + ".tmp";
        using (var writer = new StreamWriter(tmp, append: false, new System.Text.UTF8Encoding(false)))
            VmlinuxWriter.Write(spec, writer);
        File.Move(tmp, OutputFile, overwrite: true);
        return true;
    }
}
