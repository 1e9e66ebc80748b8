using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace OpenEvent.Rules.Events;

/// <summary>
/// Detects a property name repeated within one object, at every depth (also in skipped subtrees, so whether an event
/// is valid never depends on the policy set). Names are compared as unescaped UTF-8 bytes (the input is valid UTF-8,
/// so equal bytes means equal names), by the <see cref="NameHash"/> the reader computed once per name. Unescaped names
/// (nearly all) are not copied: an entry keeps the name's offset in the event's bytes, and is read back relative to
/// the name being added (also a slice of those bytes); only escaped names are decoded into a buffer. A 64-bit filter per open object spares the scan for a name
/// whose hash bit was never seen there (the usual case), and objects past a few dozen names switch to a randomized
/// hash set so a 100k-key object stays linear.
/// </summary>
internal sealed class DuplicateKeyChecker
{
    private const int LinearLimit = 32;

    private byte[] _bytes = new byte[1024];
    private int _byteCount;
    // Start >= 0: offset of an unescaped name in the event's bytes; Start < 0: ~offset of a decoded name in _bytes.
    private (int Start, int Length, int Hash)[] _entries = new (int, int, int)[64];
    private int _entryCount;
    // Per open object (by depth) in one struct, so a name's check reads one place, not four arrays.
    private readonly Level[] _levels = new Level[InvalidEventException.MaxDepth + 1];
    private readonly HashSet<string>?[] _largeSets = new HashSet<string>?[InvalidEventException.MaxDepth + 1];
    private bool _anyLarge; // spares Reset a walk over every depth for the events (nearly all) without a large object

    public void Reset()
    {
        _byteCount = 0;
        _entryCount = 0;
        if (_bytes.Length > (1 << 20))
        {
            _bytes = new byte[1024];
        }

        if (!_anyLarge)
        {
            return;
        }

        _anyLarge = false;
        for (var depth = 0; depth < _levels.Length; depth++)
        {
            if (_levels[depth].IsLarge)
            {
                _largeSets[depth]!.Clear();
                _levels[depth].IsLarge = false;
            }
        }
    }

    public void BeginObject(int depth)
    {
        _levels[depth] = new Level { EntryStart = _entryCount, ByteStart = _byteCount };
    }

    public void EndObject(int depth)
    {
        ref var level = ref _levels[depth];
        _entryCount = level.EntryStart;
        _byteCount = level.ByteStart;
        if (level.IsLarge)
        {
            _largeSets[depth]!.Clear();
            level.IsLarge = false;
        }
    }

    /// <summary>Room for a name of at most <paramref name="maxLength"/> bytes; call <see cref="Add"/> after writing it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Reserve(int maxLength)
    {
        if (_byteCount + maxLength > _bytes.Length)
        {
            Grow(maxLength);
        }

        return _bytes.AsSpan(_byteCount, maxLength);
    }

    private void Grow(int maxLength)
    {
        // Names past 1 MB come from one hostile event: the buffer is dropped again at the next Reset.
        Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _byteCount + maxLength));
    }

    /// <summary>
    /// Adds a name of the object at <paramref name="depth"/>, or throws on a duplicate. <paramref name="raw"/> is the
    /// name's span in the event's bytes as the reader gives it (escaped or not) and <paramref name="rawOffset"/> its
    /// offset there: the anchor from which earlier unescaped names are read back.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddUnescaped(int depth, ReadOnlySpan<byte> raw, int rawOffset, int hash) =>
        Add(depth, raw, raw, rawOffset, rawOffset, hash);

    /// <summary>Adds the decoded name of <paramref name="length"/> bytes just written at the reserved position; returns it.</summary>
    public ReadOnlySpan<byte> AddEscaped(int depth, int length, ReadOnlySpan<byte> raw, int rawOffset, int hash)
    {
        var name = _bytes.AsSpan(_byteCount, length);
        Add(depth, name, raw, rawOffset, ~_byteCount, hash);
        _byteCount += length;
        return name;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Add(int depth, ReadOnlySpan<byte> name, ReadOnlySpan<byte> anchor, int anchorOffset, int start, int hash)
    {
        ref var level = ref _levels[depth];
        var bit = 1UL << (int)((uint)hash >> 26);
        if (level.IsLarge)
        {
            if (!_largeSets[depth]!.Add(Encoding.UTF8.GetString(name)))
            {
                throw Duplicate(name);
            }
        }
        else if ((level.Filter & bit) != 0 || _entryCount - level.EntryStart >= LinearLimit)
        {
            AddSmall(depth, name, anchor, anchorOffset, hash);
        }

        // The usual case ends here: no earlier name of this object has the hash's bit, so none can be equal.
        level.Filter |= bit;

        if (_entryCount == _entries.Length)
        {
            Array.Resize(ref _entries, _entryCount * 2);
        }

        _entries[_entryCount++] = (start, name.Length, hash);
    }

    // An earlier name: decoded in _bytes, or a slice of the event's bytes found from the anchor (a slice of the same
    // bytes at a known offset), so the checker never holds the event itself.
    private ReadOnlySpan<byte> NameOf(int entry, ReadOnlySpan<byte> anchor, int anchorOffset)
    {
        var (start, length, _) = _entries[entry];
        return start < 0
            ? _bytes.AsSpan(~start, length)
            : MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref MemoryMarshal.GetReference(anchor), start - anchorOffset), length);
    }

    // A name whose filter bit is already set (maybe a duplicate: scan), or the name that makes the object large.
    [MethodImpl(MethodImplOptions.NoInlining)] // the rare case: keeps the inlined usual case small in the reader's loop
    private void AddSmall(int depth, ReadOnlySpan<byte> name, ReadOnlySpan<byte> anchor, int anchorOffset, int hash)
    {
        ref var level = ref _levels[depth];
        var first = level.EntryStart;
        var bit = 1UL << (int)((uint)hash >> 26);
        if ((level.Filter & bit) != 0)
        {
            for (var i = first; i < _entryCount; i++)
            {
                if (_entries[i].Hash == hash && NameOf(i, anchor, anchorOffset).SequenceEqual(name))
                {
                    throw Duplicate(name);
                }
            }
        }

        if (_entryCount - first >= LinearLimit)
        {
            var set = _largeSets[depth] ??= new HashSet<string>(StringComparer.Ordinal);
            for (var i = first; i < _entryCount; i++)
            {
                set.Add(Encoding.UTF8.GetString(NameOf(i, anchor, anchorOffset)));
            }

            set.Add(Encoding.UTF8.GetString(name));
            level.IsLarge = true;
            _anyLarge = true;
        }
    }

    private struct Level
    {
        public int EntryStart;
        public int ByteStart;
        public ulong Filter; // bit (hash >> 26) of every name added, while the object is small
        public bool IsLarge;
    }

    private static InvalidEventException Duplicate(ReadOnlySpan<byte> utf8Name)
    {
        var name = Encoding.UTF8.GetString(utf8Name);
        return new(InvalidEventException.DuplicateKey, $"The property \"{Truncate(name)}\" appears twice in the same object.");
    }

    private static string Truncate(string name) => name.Length <= 64 ? name : name[..64] + "...";
}
