using System;
using System.Collections.Generic;

namespace Ebpf.Generator.Parsing
{
    /// <summary>
    /// The names already taken in one C# declaration space (a class's members, a struct's fields, an enum's
    /// members). A clash gets the lowest free numeric suffix, so the result depends only on declaration order.
    /// </summary>
    internal sealed class NameScope
    {
        // Members every type inherits from object/ValueType: a field or property with one of these names would
        // hide it (warning CS0108), which fails builds with warnings as errors.
        private static readonly string[] inherited = { "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize", "ReferenceEquals" };

        private readonly HashSet<string> used = new HashSet<string>(StringComparer.Ordinal);

        public NameScope(params string[] reserved)
        {
            foreach (var name in inherited)
                used.Add(name);
            foreach (var name in reserved)
                used.Add(name);
        }

        /// <summary>Takes <paramref name="wanted"/> (or <paramref name="fallback"/> when it is empty), with a
        /// numeric suffix when taken; <paramref name="renamed"/> says whether the result differs from the wish.</summary>
        public string Take(string wanted, string fallback, out bool renamed)
        {
            var name = wanted.Length == 0 ? fallback : wanted;
            renamed = wanted.Length == 0;
            if (!Identifiers.IsKeyword(name) && used.Add(name))
                return name;
            renamed = true;
            for (var i = 1; ; i++)
            {
                var candidate = name + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (used.Add(candidate))
                    return candidate;
            }
        }

        public string Take(string wanted, string fallback) => Take(wanted, fallback, out _);

        public bool Contains(string name) => used.Contains(name);
    }
}
