using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace OpenEvent.Rules.Events;

/// <summary>
/// A cheap hash of a property name's UTF-8 bytes, computed once per name and shared by the duplicate-key check and the
/// path-trie lookup, so a name is never transcoded to UTF-16 nor hashed twice. Not randomized: every table it serves
/// is either bounded by the policy set (trie children, probes stop at an empty slot) or falls back to a randomized
/// set beyond a few dozen names (<see cref="DuplicateKeyChecker"/>), so crafted collisions cannot make it quadratic.
/// </summary>
internal static class NameHash
{
    private const ulong Multiplier = 0x9E3779B97F4A7C15;

    // Length, first and last 8 bytes (overlapping for short names): property names differ there in practice, and a
    // collision only costs a byte comparison, never a wrong answer.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Of(ReadOnlySpan<byte> name)
    {
        ulong head;
        ulong tail;
        if (name.Length >= 8)
        {
            head = BinaryPrimitives.ReadUInt64LittleEndian(name);
            tail = BinaryPrimitives.ReadUInt64LittleEndian(name[^8..]);
        }
        else if (name.Length >= 4)
        {
            head = BinaryPrimitives.ReadUInt32LittleEndian(name);
            tail = BinaryPrimitives.ReadUInt32LittleEndian(name[^4..]);
        }
        else
        {
            head = name.Length == 0 ? 0 : name[0] | ((ulong)name[name.Length / 2] << 8) | ((ulong)name[^1] << 16);
            tail = 0;
        }

        var h = (head ^ BitOperations.RotateLeft(tail, 32) ^ (ulong)name.Length) * Multiplier;
        return (int)(h ^ (h >> 32));
    }
}
