using System.Text;

namespace Ebpf.Generator.Emitting
{
    /// <summary>Writes lines of source with four-space indentation and '\n' line ends (stable across platforms).</summary>
    internal sealed class IndentedWriter
    {
        private readonly StringBuilder sb = new StringBuilder();
        private int indent;

        public void Line(string text)
        {
            if (text.Length > 0)
                sb.Append(' ', indent * 4).Append(text);
            sb.Append('\n');
        }

        public void Line() => sb.Append('\n');

        /// <summary>Writes "{" and indents.</summary>
        public void Open()
        {
            Line("{");
            indent++;
        }

        /// <summary>Unindents and writes "}" (plus an optional suffix such as ";").</summary>
        public void Close(string suffix = "")
        {
            indent--;
            Line("}" + suffix);
        }

        public override string ToString() => sb.ToString();
    }
}
