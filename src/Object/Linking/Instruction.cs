using Ebpf.Object.Elf;

namespace Ebpf.Object.Linking
{
    /// <summary>Field access to 8-byte BPF instructions in either byte order.</summary>
    /// <remarks>
    /// struct bpf_insn is { u8 code; u8 dst_reg:4, src_reg:4; s16 off; s32 imm; }. The two register nibbles
    /// are C bitfields, so their order follows the byte order: on little-endian dst_reg is the low nibble, on
    /// big-endian the high one.
    /// </remarks>
    internal static class Instruction
    {
        public const int Size = 8;
        public const byte OpCall = 0x85;      // BPF_JMP | BPF_CALL
        public const byte OpLdImm64 = 0x18;   // BPF_LD | BPF_IMM | BPF_DW
        public const int PseudoCall = 1;      // src_reg of a bpf-to-bpf call
        public const int PseudoKfuncCall = 2; // src_reg of a kfunc call
        public const int PseudoFunc = 4;      // src_reg of ld_imm64 loading a callback's address

        public static byte Code(byte[] insns, int index) => insns[index * Size];

        public static int SrcReg(byte[] insns, int index, bool le)
        {
            var regs = insns[index * Size + 1];
            return le ? regs >> 4 : regs & 0xf;
        }

        public static void SetSrcReg(byte[] insns, int index, int src, bool le)
        {
            ref var regs = ref insns[index * Size + 1];
            regs = le ? (byte)((regs & 0x0f) | (src << 4)) : (byte)((regs & 0xf0) | src);
        }

        public static int Imm(byte[] insns, int index, bool le) => unchecked((int)Bytes.U32(insns, (ulong)(index * Size + 4), le, "instruction imm"));

        public static void SetImm(byte[] insns, int index, int value, bool le) => Bytes.WriteI32(insns, index * Size + 4, value, le);
    }
}
