using System.Runtime.CompilerServices;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Events;

/// <summary>
/// The compact, reusable per-event structure the single pass reads into (<see cref="EventReader"/>): only the values
/// at paths some pattern reads, in flat arrays that are reset (not reallocated) between events. Object instances keep element identity, which nested patterns need
/// ("all fields within the same array element"); per-path value lists serve the candidate index, which only needs
/// "some value at this path anywhere".
/// Layout: an object instance of path node N owns N.ChildCount consecutive slots; a slot heads two singly linked
/// lists, its leaf values and its object instances (array elements flattened into the same lists).
/// </summary>
internal sealed class EventView
{
    // Beyond these sizes a buffer grown by one huge event is dropped after the event, so memory stays bounded.
    private const int RetainedChars = 1 << 20;
    private const int RetainedValues = 1 << 16;

    public ValueRecord[] Values = new ValueRecord[64];
    public int ValueCount;

    public char[] Chars = new char[4096];
    public int CharCount;

    public int[] InstanceSlotBase = new int[16];
    public int InstanceCount;

    public int[] SlotLeafHead = new int[64];
    public int[] SlotChildHead = new int[64];
    public int[] InstanceNext = new int[16];
    public int SlotCount;

    public int[] PathHead = [];
    public int[] PathTail = [];
    public int[] PathStamp = [];

    /// <summary>The paths that have a value in this event, each once (<see cref="PresentPathCount"/> of them).</summary>
    public int[] PresentPaths = new int[16];

    public int PresentPathCount;

    /// <summary>Epoch stamp of the paths whose field was an array (read by the engine's envelope checks).</summary>
    public int[] ArrayStamp = [];

    /// <summary>
    /// The current event's stamp: per-path arrays (and the matcher's own stamp arrays) hold it for "set during this
    /// event", so arrays sized by the policy set are never cleared per event. It restarts at 1 after wrapping, when
    /// every stamp array is cleared; a stamp array is therefore stale exactly when <see cref="Reset"/> returns true.
    /// </summary>
    public int Epoch;

    public readonly DuplicateKeyChecker Names = new();

    /// <summary>
    /// Scratch of the candidate index's substring tables (<c>SubstringTable</c>): the parts already reported in a walk
    /// over one value, stamped with <see cref="SubstringWalk"/> (which counts walks, so nothing is cleared).
    /// </summary>
    public int[] SubstringStamps = [];

    public int SubstringWalk;

    /// <summary>
    /// Whether some slot holds two object instances (an array of objects): only then can the values of two paths come
    /// from different elements. Without it every path node has at most one instance, so "some value at each path" and
    /// "within one object" are the same: the matcher then accepts the patterns its index decides without a check.
    /// </summary>
    public bool HasSiblingInstances;

    public struct ValueRecord
    {
        public ScalarKind Kind;
        public int TextStart;
        public int TextLength;
        public int UpperStart; // -1 until some ignore-case test needs it
        public JsonNumber Number;
        public bool InArray; // an array on the way from the root (see EventReader.ReadField)
        public int NextInSlot;
        public int NextInPath;
    }

    /// <summary>Readies the view for one event read with a trie of <paramref name="pathCount"/> paths.</summary>
    /// <returns>True when the epoch wrapped: stamp arrays kept outside the view must be cleared.</returns>
    public bool Reset(int pathCount)
    {
        if (Chars.Length > RetainedChars)
        {
            Chars = new char[4096];
        }

        if (Values.Length > RetainedValues)
        {
            Values = new ValueRecord[64];
        }

        ValueCount = 0;
        PresentPathCount = 0;
        CharCount = 0;
        InstanceCount = 0;
        SlotCount = 0;
        HasSiblingInstances = false;
        Names.Reset();

        if (PathStamp.Length < pathCount)
        {
            PathHead = new int[pathCount];
            PathTail = new int[pathCount];
            PathStamp = new int[pathCount];
            ArrayStamp = new int[pathCount];
        }

        // Stamps instead of clearing: arrays sized by the policy set are never touched per event.
        if (++Epoch == int.MaxValue)
        {
            Array.Clear(PathStamp);
            Array.Clear(ArrayStamp);
            Epoch = 1;
            return true;
        }

        return false;
    }

    /// <summary>A new object instance of <paramref name="node"/>, its slots all empty.</summary>
    public int NewInstance(PathNode node)
    {
        if (InstanceCount == InstanceSlotBase.Length)
        {
            Array.Resize(ref InstanceSlotBase, InstanceCount * 2);
            Array.Resize(ref InstanceNext, InstanceCount * 2);
        }

        var slots = node.ChildCount;
        if (SlotCount + slots > SlotLeafHead.Length)
        {
            var size = Math.Max(SlotLeafHead.Length * 2, SlotCount + slots);
            Array.Resize(ref SlotLeafHead, size);
            Array.Resize(ref SlotChildHead, size);
        }

        var instance = InstanceCount++;
        InstanceSlotBase[instance] = SlotCount;
        InstanceNext[instance] = -1;
        SlotLeafHead.AsSpan(SlotCount, slots).Fill(-1);
        SlotChildHead.AsSpan(SlotCount, slots).Fill(-1);
        SlotCount += slots;
        return instance;
    }

    public void LinkChildInstance(int parent, int childIndex, int instance)
    {
        var slot = InstanceSlotBase[parent] + childIndex;
        HasSiblingInstances |= SlotChildHead[slot] >= 0;
        InstanceNext[instance] = SlotChildHead[slot];
        SlotChildHead[slot] = instance;
    }

    /// <summary>Reserves room for <paramref name="length"/> chars at the end of the text buffer.</summary>
    public Span<char> ReserveChars(int length)
    {
        if (CharCount + length > Chars.Length)
        {
            Array.Resize(ref Chars, Math.Max(Chars.Length * 2, CharCount + length));
        }

        return Chars.AsSpan(CharCount, length);
    }

    /// <summary>Appends a value whose text (string, or number literal) was written at CharCount.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddValue(int pathId, int instance, int childIndex, ScalarKind kind, int textLength, JsonNumber number, bool inArray)
    {
        if (ValueCount == Values.Length)
        {
            Array.Resize(ref Values, ValueCount * 2);
        }

        var index = ValueCount++;
        ref var v = ref Values[index];
        v.Kind = kind;
        v.TextStart = CharCount;
        v.TextLength = textLength;
        v.UpperStart = -1;
        v.Number = number;
        v.InArray = inArray;
        CharCount += textLength;

        var slot = InstanceSlotBase[instance] + childIndex;
        v.NextInSlot = SlotLeafHead[slot];
        SlotLeafHead[slot] = index;

        // Per-path lists keep document order: the first value of an extra path is the first in the event.
        v.NextInPath = -1;
        if (PathStamp[pathId] != Epoch)
        {
            PathStamp[pathId] = Epoch;
            PathHead[pathId] = index;
            if (PresentPathCount == PresentPaths.Length)
            {
                Array.Resize(ref PresentPaths, PresentPathCount * 2);
            }

            PresentPaths[PresentPathCount++] = pathId;
        }
        else
        {
            Values[PathTail[pathId]].NextInPath = index;
        }

        PathTail[pathId] = index;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int FirstLeaf(int instance, int childIndex) =>
        instance < 0 ? -1 : SlotLeafHead[InstanceSlotBase[instance] + childIndex];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int FirstChildInstance(int instance, int childIndex) =>
        instance < 0 ? -1 : SlotChildHead[InstanceSlotBase[instance] + childIndex];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int FirstInPath(int pathId) => PathStamp[pathId] == Epoch ? PathHead[pathId] : -1;

    public ReadOnlySpan<char> Text(int value)
    {
        ref var v = ref Values[value];
        return Chars.AsSpan(v.TextStart, v.TextLength);
    }

    /// <summary>The upper-cased text of a string value, computed once per value and event.</summary>
    public ReadOnlySpan<char> UpperText(int value)
    {
        ref var v = ref Values[value];
        if (v.UpperStart < 0)
        {
            var length = v.TextLength;
            var destination = ReserveChars(length); // may move Chars: read the source after reserving
            MatcherSemantics.FoldCase(Chars.AsSpan(v.TextStart, length), destination);
            v.UpperStart = CharCount;
            CharCount += length;
        }

        return Chars.AsSpan(v.UpperStart, v.TextLength);
    }
}
