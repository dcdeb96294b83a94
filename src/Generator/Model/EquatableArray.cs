using System;
using System.Collections;
using System.Collections.Generic;

namespace Ebpf.Generator.Model
{
    /// <summary>
    /// An immutable array compared by its elements, so models holding lists stay value-equatable and the
    /// incremental pipeline can tell an unchanged object from a changed one.
    /// </summary>
    internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
        where T : IEquatable<T>
    {
        private readonly T[]? items;

        public EquatableArray(T[] items) => this.items = items;

        public static EquatableArray<T> Empty => new EquatableArray<T>(Array.Empty<T>());

        public int Count => items?.Length ?? 0;

        public T this[int index] => items![index];

        public bool Equals(EquatableArray<T> other)
        {
            var a = items ?? Array.Empty<T>();
            var b = other.items ?? Array.Empty<T>();
            if (a.Length != b.Length)
                return false;
            for (var i = 0; i < a.Length; i++)
                if (!EqualityComparer<T>.Default.Equals(a[i], b[i]))
                    return false;
            return true;
        }

        public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

        public override int GetHashCode()
        {
            var hash = 17;
            foreach (var item in items ?? Array.Empty<T>())
                hash = unchecked(hash * 31 + (item?.GetHashCode() ?? 0));
            return hash;
        }

        public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(items ?? Array.Empty<T>())).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

        public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);
    }

    internal static class EquatableArray
    {
        public static EquatableArray<T> ToEquatableArray<T>(this IEnumerable<T> items) where T : IEquatable<T> =>
            new EquatableArray<T>(new List<T>(items).ToArray());
    }
}
