using System.Text;

namespace EbpfTrace;

/// <summary>One exec, with the C strings of <see cref="ExecSkel.ExecEvent"/> decoded.</summary>
public sealed record ExecRecord(DateTime Time, uint Pid, uint Ppid, uint Uid, ulong CgroupId, string Comm, string Filename)
{
    public static readonly string Header = $"{"TIME",-12} {"PID",8} {"PPID",8} {"UID",6}  {"COMM",-16} FILENAME";

    public static ExecRecord From(in ExecSkel.ExecEvent e) =>
        new(DateTime.Now, e.Pid, e.Ppid, e.Uid, e.CgroupId, CString(e.Comm), CString(e.Filename));

    public string Line() => $"{Time:HH:mm:ss.fff} {Pid,8} {Ppid,8} {Uid,6}  {Comm,-16} {Filename}";

    /// <summary>The bytes up to the first NUL, as UTF-8 (the kernel keeps names as bytes; Linux paths are UTF-8 by convention).</summary>
    private static string CString(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }
}
