using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenEvent.Rules.FileSystem;
using OpenEvent.Rules.Model;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace OpenEvent.Rules.Parsing;

/// <summary>One YAML document of a file: its JSON tree (null for an empty document) and its source map.</summary>
internal sealed record SourceDocument(string File, int Index, JsonNode? Root, YamlSourceMap Map);

/// <summary>
/// Reads policy files into JSON trees with source maps. Built on YamlDotNet's low-level parser events so that
/// every limit is enforced while consuming the input, before anything large or deep is built: the tree is built
/// iteratively (no recursion), nesting and alias expansion are bounded, and any input, however hostile, ends in a
/// located diagnostic instead of an exception, a hang or a stack overflow.
/// </summary>
internal static partial class YamlDocumentReader
{
    /// <summary>
    /// Files larger than this are refused: from their reported length before reading a byte, and by counting the bytes
    /// read (at most this + 1 are ever read), for files whose length lies or grows.
    /// </summary>
    public const long MaxFileBytes = 10 * 1024 * 1024;

    /// <summary>Deepest allowed nesting of mappings and sequences.</summary>
    public const int MaxDepth = 64;

    /// <summary>Most nodes one document may have, aliases expanded (bounds "billion laughs").</summary>
    public const int MaxNodes = 10_000;

    /// <summary>The most YAML documents one file may hold.</summary>
    public const int MaxDocuments = 10_000;

    /// <summary>
    /// Most characters of text the aliases of one document may copy. The node bound alone let a 4 MB text be aliased
    /// 2,000 times in a 4 MB file: each copy is parsed again (a template, a pattern), and the load grew past 6 GB.
    /// </summary>
    public const int MaxAliasedChars = 1024 * 1024;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Tab lines past this many add nothing for the author: they fix the editor setting, not each line.
    private const int MaxTabDiagnostics = 10;

    /// <summary>Reads a file; <paramref name="displayPath"/> is the path as the user gave it, used in diagnostics.</summary>
    /// <param name="containedIn">When given, the real folder the file must stay in (symbolic links leading out are refused, OER1017).</param>
    public static IReadOnlyList<SourceDocument> ReadFile(string path, DiagnosticBag diagnostics, string? displayPath = null, string? containedIn = null)
    {
        var file = displayPath ?? path;
        return ReadFileBytes(path, diagnostics, file, containedIn) is { } bytes ? Read(file, bytes, diagnostics) : [];
    }

    /// <summary>
    /// The bytes of a policy file, read with every guard of <see cref="BoundedFileReader"/> (regular files only, at most
    /// <see cref="MaxFileBytes"/>); null with a diagnostic naming the file (never its content) when it cannot be read.
    /// </summary>
    /// <param name="listedRealPath">The file's real path as the folder walk found it, if it did (see <see cref="BoundedFileReader"/>).</param>
    public static byte[]? ReadFileBytes(string path, DiagnosticBag diagnostics, string file, string? containedIn = null, string? listedRealPath = null)
    {
        var result = BoundedFileReader.Read(path, MaxFileBytes, containedIn, listedRealPath);
        var location = new SourceLocation(file, 0, 0);
        switch (result.Status)
        {
            case FileReadStatus.Read:
                return result.Bytes;
            case FileReadStatus.TooLarge:
                diagnostics.Error(DiagnosticIds.FileTooLarge, location,
                    result.Length > MaxFileBytes + 1
                        ? $"file is {FormatSize(result.Length)}, larger than the {FormatSize(MaxFileBytes)} limit"
                        : $"file is larger than the {FormatSize(MaxFileBytes)} limit",
                    "split the policies into several smaller files");
                break;
            case FileReadStatus.NotRegular when result.Kind == FileKind.Directory:
                diagnostics.Error(DiagnosticIds.UnreadablePath, location, $"cannot read '{file}': it is a folder", "give a policy file or the folder that contains it");
                break;
            case FileReadStatus.NotRegular:
                diagnostics.Error(DiagnosticIds.NotRegularFile, location,
                    $"'{file}' is {FileKindText.Describe(result.Kind)}, not a regular file: it is not read",
                    "policy files must be regular files: remove it, or replace it with a file");
                break;
            case FileReadStatus.OutsideFolder:
                diagnostics.Error(DiagnosticIds.LinkOutsideFolder, location,
                    $"'{file}' is a symbolic link to '{result.RealPath}', outside the policy folder: it is not read",
                    "keep policy files inside the policy folder: copy the file in, or link to one inside the folder");
                break;
            case FileReadStatus.Missing:
                diagnostics.Error(DiagnosticIds.UnreadablePath, location, $"cannot read '{file}': it does not exist (or was removed or renamed while the policies were read)",
                    "check that the file exists; a reload runs again after the next change");
                break;
            default:
                diagnostics.Error(DiagnosticIds.UnreadablePath, location, $"cannot read '{file}': {result.Error}", "check that the file exists and is readable");
                break;
        }

        return null;
    }

    /// <summary>Reads the bytes of a file (UTF-8, with or without BOM).</summary>
    public static IReadOnlyList<SourceDocument> Read(string file, ReadOnlySpan<byte> bytes, DiagnosticBag diagnostics)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..];
        }

        string text;
        try
        {
            text = s_strictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            var offset = FirstInvalidUtf8Offset(bytes);
            var (line, column) = LineColumnOfByte(bytes, offset);
            diagnostics.Error(DiagnosticIds.NotUtf8, new SourceLocation(file, line, column),
                $"file is not valid UTF-8: invalid byte 0x{bytes[offset]:X2} at byte offset {offset}",
                "save the file as UTF-8");
            return [];
        }

        return ReadText(file, text, diagnostics);
    }

    /// <summary>Reads YAML text. Fatal problems (syntax, limits) stop the file; documents read before them are kept.</summary>
    public static IReadOnlyList<SourceDocument> ReadText(string file, string text, DiagnosticBag diagnostics)
    {
        var scratch = t_scratch ?? new Scratch();
        t_scratch = null;
        var builder = new TreeBuilder(file, text, scratch);
        var fileDiagnostics = new DiagnosticBag();
        Diagnostic? fatal = null;
        var parser = new Parser(new StringReader(text));
        try
        {
            while (parser.MoveNext())
            {
                builder.Consume(parser.Current!);
            }
        }
        catch (FatalYamlException ex)
        {
            fatal = ex.Diagnostic;
        }
        catch (YamlException ex)
        {
            fatal = SyntaxError(file, ex);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // YamlDotNet throws other exceptions (InvalidOperationException) for a few malformed inputs, e.g. an
            // unclosed flow sequence followed by a key; whatever the input, the author gets a located error.
            fatal = builder.UnexpectedError();
        }
        finally
        {
            scratch.Reset();
            t_scratch = scratch;
        }

        var tabs = FindTabIndentation(file, text, builder.MultiLineScalars, fatal);
        fileDiagnostics.AddRange(tabs);

        // A tab in the indentation is almost always why YamlDotNet failed, and it reports such failures at the
        // enclosing mapping, far from the tab: the tab diagnostic alone tells the author what to fix.
        if (fatal is not null && (tabs.Count == 0 || fatal.Id != DiagnosticIds.YamlSyntax))
        {
            fileDiagnostics.Add(fatal);
        }

        if (fatal is null && builder.Documents.TrueForAll(d => d.Root is null))
        {
            fileDiagnostics.Error(DiagnosticIds.EmptyFile, new SourceLocation(file, 1, 1),
                builder.Documents.Count == 0 ? "file has no YAML content (empty or only comments)" : "file has only empty YAML documents",
                "add a policy, channel or target, or delete the file");
        }

        fileDiagnostics.AddRange(builder.Diagnostics.Items);
        diagnostics.AddRange(fileDiagnostics.Items.OrderBy(d => d.Location.Line).ThenBy(d => d.Location.Column));
        return builder.Documents.Where(d => d.Root is not null).ToList();
    }

    private static Diagnostic SyntaxError(string file, YamlException ex)
    {
        var message = SyntaxMessagePrefix().Replace(ex.Message, "").Trim().TrimEnd('.');
        if (message.Length > 0)
        {
            message = char.ToLowerInvariant(message[0]) + message[1..];
        }

        var hint = message switch
        {
            _ when message.Contains("did not find expected key", StringComparison.Ordinal) =>
                "check the indentation: the keys of one mapping start in the same column, and a list item starts with '- '",
            _ when message.Contains("mapping values are not allowed", StringComparison.Ordinal) || message.Contains("invalid mapping", StringComparison.Ordinal) =>
                "a value that contains ': ' must be quoted, e.g. reason: \"frozen: see ticket 42\"",
            _ when message.Contains("did not find expected ','", StringComparison.Ordinal) || message.Contains("flow", StringComparison.Ordinal) =>
                "close every '[' with ']' and every '{' with '}', and separate items with ','",
            _ when message.Contains("quoted scalar", StringComparison.Ordinal) =>
                "close the quoted string with the same quote it starts with",
            _ when message.Contains("alias", StringComparison.Ordinal) || message.Contains("anchor", StringComparison.Ordinal) =>
                "define the anchor (&name) before using the alias (*name)",
            _ => "fix the YAML syntax at this position",
        };
        return new Diagnostic(DiagnosticIds.YamlSyntax, DiagnosticSeverity.Error,
            new SourceLocation(file, ToInt(ex.Start.Line), ToInt(ex.Start.Column)), $"YAML syntax error: {message}", hint);
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\):\s*")]
    private static partial Regex SyntaxMessagePrefix();

    /// <summary>
    /// YAML forbids tabs in indentation, and YamlDotNet reports them far away (at the enclosing mapping), so the
    /// lines are found here directly. Continuation lines of multi-line scalars may legitimately start with tabs
    /// (a block scalar's content), so those are left alone.
    /// </summary>
    private static List<Diagnostic> FindTabIndentation(string file, string text, List<(int StartLine, int EndLine, int EndColumn)> multiLineScalars, Diagnostic? fatal)
    {
        var result = new List<Diagnostic>();
        var nextScalar = 0;
        var lineNumber = 0;
        var lineStart = 0;
        while (lineStart <= text.Length && result.Count < MaxTabDiagnostics)
        {
            lineNumber++;
            var lineEnd = text.IndexOf('\n', lineStart);
            if (lineEnd < 0)
            {
                lineEnd = text.Length;
            }

            var firstTab = -1;
            var i = lineStart;
            for (; i < lineEnd && text[i] is ' ' or '\t'; i++)
            {
                if (text[i] == '\t' && firstTab < 0)
                {
                    firstTab = i;
                }
            }

            var hasContent = i < lineEnd && text[i] is not '\r' and not '#';
            if (firstTab >= 0 && hasContent && !InsideScalar(lineNumber, multiLineScalars, ref nextScalar)
                && (fatal is null || fatal.Id == DiagnosticIds.YamlSyntax || lineNumber <= fatal.Location.Line))
            {
                result.Add(new Diagnostic(DiagnosticIds.TabIndentation, DiagnosticSeverity.Error,
                    new SourceLocation(file, lineNumber, firstTab - lineStart + 1),
                    "tab character in indentation: YAML indentation must use spaces",
                    "indent with spaces (set your editor to insert spaces for YAML files)"));
            }

            lineStart = lineEnd + 1;
        }

        return result;
    }

    /// <summary>
    /// Whether a continuation line of a multi-line scalar is <paramref name="line"/>. Scalars are disjoint and in
    /// source order, and lines are asked in increasing order, so one forward sweep keeps the scan linear.
    /// </summary>
    private static bool InsideScalar(int line, List<(int StartLine, int EndLine, int EndColumn)> scalars, ref int next)
    {
        while (next < scalars.Count && (scalars[next].EndLine < line || (scalars[next].EndLine == line && scalars[next].EndColumn <= 1)))
        {
            next++;
        }

        return next < scalars.Count && scalars[next].StartLine < line;
    }

    private static int FirstInvalidUtf8Offset(ReadOnlySpan<byte> bytes)
    {
        var chars = ArrayPool<char>.Shared.Rent(4096);
        try
        {
            var offset = 0;
            while (offset < bytes.Length)
            {
                var status = System.Text.Unicode.Utf8.ToUtf16(bytes[offset..], chars, out var read, out _, replaceInvalidSequences: false);
                offset += read;
                if (status is OperationStatus.InvalidData or OperationStatus.NeedMoreData)
                {
                    return Math.Min(offset, bytes.Length - 1);
                }

                if (status == OperationStatus.Done)
                {
                    break;
                }
            }

            return Math.Max(0, Math.Min(offset, bytes.Length - 1));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static (int Line, int Column) LineColumnOfByte(ReadOnlySpan<byte> bytes, int offset)
    {
        var before = bytes[..offset];
        var line = before.Count((byte)'\n') + 1;
        var lineStart = before.LastIndexOf((byte)'\n') + 1;

        // Columns count UTF-16 code units, as YamlDotNet, editors and SARIF do; the prefix is valid UTF-8.
        var column = Encoding.UTF8.GetCharCount(before[lineStart..]) + 1;
        return (line, column);
    }

    private static string FormatSize(long bytes) =>
        bytes >= 1024 * 1024 ? $"{bytes / (1024.0 * 1024.0):0.#} MB" : $"{bytes} bytes";

    internal static int ToInt(long value) => value > int.MaxValue ? int.MaxValue : (int)value;

    private sealed class FatalYamlException(Diagnostic diagnostic) : Exception(diagnostic.Message)
    {
        public Diagnostic Diagnostic { get; } = diagnostic;
    }

    // What reading a file needs only while it reads (the frames, the source map's entries before the map is filled),
    // kept per thread between files: a file's lists grew from empty each time (~5 KB per policy file).
    [ThreadStatic]
    private static Scratch? t_scratch;

    /// <summary>The open frames, the frames free for reuse and the pending source map entries of one thread's reads.</summary>
    private sealed class Scratch
    {
        // A document of MaxNodes nodes needs this many entries; larger lists are not kept.
        private const int MaxKeptEntries = 1024;

        public Stack<Frame> Stack { get; } = new();

        public List<Frame> Free { get; } = [];

        public List<YamlSourceMap.PendingEntry> Entries { get; private set; } = new(64);

        public Frame Rent()
        {
            if (Free.Count == 0)
            {
                return new Frame();
            }

            var frame = Free[^1];
            Free.RemoveAt(Free.Count - 1);
            return frame;
        }

        public void Return(Frame frame)
        {
            frame.Clear();
            Free.Add(frame);
        }

        /// <summary>Frees what a read left (nothing of a file stays referenced from here).</summary>
        public void Reset()
        {
            while (Stack.TryPop(out var frame))
            {
                Return(frame);
            }

            Entries.Clear();
            if (Entries.Capacity > MaxKeptEntries)
            {
                Entries = new(64);
            }
        }
    }

    /// <summary>An open mapping or sequence (or the document root) while events are consumed.</summary>
    private sealed class Frame
    {
        public JsonObject? Object;
        public JsonArray? Array;
        public JsonNode? RootValue;
        public bool IsRoot;
        public string Pointer = "";

        /// <summary>Inside a value that is dropped (duplicate key): no source map entries.</summary>
        public bool Detached;

        public string? PendingKey;
        public SourceLocation PendingKeyLocation;
        public bool DiscardValue;

        public string? Anchor;
        public int NodesAtStart;
        public long CharsAtStart;
        public SourceLocation Start;
        public bool IsFlow;
        public int ArrayLength;

        /// <summary>Back to a new frame's state, for reuse.</summary>
        public void Clear()
        {
            Object = null;
            Array = null;
            RootValue = null;
            IsRoot = false;
            Pointer = "";
            Detached = false;
            PendingKey = null;
            PendingKeyLocation = default;
            DiscardValue = false;
            Anchor = null;
            NodesAtStart = 0;
            CharsAtStart = 0;
            Start = default;
            IsFlow = false;
            ArrayLength = 0;
        }
    }

    /// <summary>Builds JSON trees from parser events with an explicit stack: depth never reaches the CLR stack.</summary>
    private sealed class TreeBuilder(string file, string text, Scratch scratch)
    {
        private readonly Stack<Frame> _stack = scratch.Stack;
        private readonly Dictionary<string, (JsonNode? Node, int Count, long Chars)> _anchors = new(StringComparer.Ordinal);
        private List<YamlSourceMap.PendingEntry> Entries => scratch.Entries;
        private YamlSourceMap? _map;
        private int _nodes;
        private bool _usedAliases;

        /// <summary>Characters of scalar values in the document so far, aliases expanded; and those the aliases copied.</summary>
        private long _chars;
        private long _aliasedChars;
        private SourceLocation _lastEventEnd = new(file, 1, 1);

        public List<SourceDocument> Documents { get; } = [];

        public DiagnosticBag Diagnostics { get; } = new();

        public List<(int StartLine, int EndLine, int EndColumn)> MultiLineScalars { get; } = [];

        public void Consume(ParsingEvent parsingEvent)
        {
            switch (parsingEvent)
            {
                case DocumentStart start:
                    if (Documents.Count >= MaxDocuments)
                    {
                        // Each document, even an empty one, costs a tree and diagnostics: a 10 MB file of "---" lines
                        // made millions of them, which a host kept and served (/policies) after the reload failed.
                        throw new FatalYamlException(new Diagnostic(DiagnosticIds.FileTooLarge, DiagnosticSeverity.Error, Location(start.Start),
                            $"file has more than {MaxDocuments} YAML documents", "split the file into several files"));
                    }

                    _map = new YamlSourceMap(file, Location(start.Start));
                    _nodes = 0;
                    _usedAliases = false;
                    (_chars, _aliasedChars) = (0, 0);
                    _anchors.Clear();
                    scratch.Reset();
                    var rootFrame = scratch.Rent();
                    rootFrame.IsRoot = true;
                    _stack.Push(rootFrame);
                    break;
                case DocumentEnd:
                    var root = _stack.Pop();
                    _map!.Fill(Entries);
                    Documents.Add(new SourceDocument(file, Documents.Count, root.RootValue, _map!));
                    scratch.Return(root);
                    break;
                case Scalar scalar:
                    OnScalar(scalar);
                    break;
                case MappingStart mapping:
                    OnCollectionStart(mapping, mapping.Start, isMapping: true, mapping.Style == MappingStyle.Flow);
                    break;
                case SequenceStart sequence:
                    OnCollectionStart(sequence, sequence.Start, isMapping: false, sequence.Style == SequenceStyle.Flow);
                    break;
                case MappingEnd or SequenceEnd:
                    var frame = _stack.Pop();
                    if (frame.Anchor is not null)
                    {
                        _anchors[frame.Anchor] = ((JsonNode?)frame.Object ?? frame.Array, _nodes - frame.NodesAtStart, _chars - frame.CharsAtStart);
                    }

                    scratch.Return(frame);
                    break;
                case AnchorAlias alias:
                    OnAlias(alias);
                    break;
            }

            _lastEventEnd = Location(parsingEvent.End);
        }

        /// <summary>A parser failure that YamlDotNet did not locate: point at the innermost open flow collection.</summary>
        public Diagnostic UnexpectedError()
        {
            foreach (var frame in _stack)
            {
                if (frame.IsFlow)
                {
                    var bracket = frame.Object is not null ? "{" : "[";
                    return new Diagnostic(DiagnosticIds.YamlSyntax, DiagnosticSeverity.Error, frame.Start,
                        $"YAML syntax error: '{bracket}' is not closed", "close every '[' with ']' and every '{' with '}', and separate items with ','");
                }
            }

            return new Diagnostic(DiagnosticIds.YamlSyntax, DiagnosticSeverity.Error, _lastEventEnd,
                "YAML syntax error: unexpected text after this position", "fix the YAML syntax at this position");
        }

        private void OnScalar(Scalar scalar)
        {
            var top = _stack.Peek();
            var location = Location(scalar.Start);
            if (scalar.End.Line > scalar.Start.Line)
            {
                MultiLineScalars.Add((ToInt(scalar.Start.Line), ToInt(scalar.End.Line), ToInt(scalar.End.Column)));
            }

            if (top.Object is not null && top.PendingKey is null)
            {
                OnKey(top, scalar.Value, location);
                return;
            }

            var node = scalar.Style == ScalarStyle.Plain && scalar.Tag.IsEmpty
                ? YamlScalarTyping.TypePlain(scalar.Value)
                : JsonValue.Create(scalar.Value);
            Attach(node, location, Span(scalar, file, text));
            _chars += scalar.Value.Length;
            if (!scalar.Anchor.IsEmpty)
            {
                _anchors[scalar.Anchor.Value] = (node, 1, scalar.Value.Length);
            }
        }

        private void OnKey(Frame top, string key, SourceLocation location)
        {
            // The mapping's own object holds every key read so far (a duplicate's value is dropped, its key is already there).
            top.PendingKey = key;
            top.PendingKeyLocation = location;
            top.DiscardValue = top.Object!.ContainsKey(key);
            if (top.DiscardValue && !top.Detached)
            {
                // A second apiVersion or kind at the top is most often a second document pasted without its separator.
                Diagnostics.Error(DiagnosticIds.DuplicateKey, location,
                    $"duplicate key '{TextExcerpt.Of(key)}'{Where(top.Pointer)}: it is already defined above",
                    top.Pointer.Length == 0 && key is "apiVersion" or "kind"
                        ? "a second document? Put a line with --- before it: each policy, channel or target is a document of its own"
                        : "remove one of the two entries, or merge their contents");
            }
        }

        private void OnCollectionStart(NodeEvent node, Mark start, bool isMapping, bool isFlow)
        {
            var top = _stack.Peek();
            var location = Location(start);
            if (top.Object is not null && top.PendingKey is null)
            {
                throw NonScalarKey(location);
            }

            // The root frame is on the stack too, so the new collection's depth is the stack's count.
            if (_stack.Count > MaxDepth)
            {
                throw new FatalYamlException(new Diagnostic(DiagnosticIds.NestingTooDeep, DiagnosticSeverity.Error, location,
                    $"nesting is deeper than {MaxDepth} levels", "flatten the structure: policies never need this much nesting"));
            }

            JsonNode container = isMapping ? new JsonObject() : new JsonArray();
            var (pointer, detached) = Attach(container, location, scalar: null);
            var frame = scratch.Rent();
            frame.Object = container as JsonObject;
            frame.Array = container as JsonArray;
            frame.Pointer = pointer;
            frame.Detached = detached;
            frame.Anchor = node.Anchor.IsEmpty ? null : node.Anchor.Value;
            frame.NodesAtStart = _nodes;
            frame.CharsAtStart = _chars;
            frame.Start = location;
            frame.IsFlow = isFlow;
            _stack.Push(frame);
        }

        private void OnAlias(AnchorAlias alias)
        {
            var top = _stack.Peek();
            var location = Location(alias.Start);
            if (top.Object is not null && top.PendingKey is null)
            {
                throw NonScalarKey(location);
            }

            if (!_anchors.TryGetValue(alias.Value.Value, out var anchored))
            {
                throw new FatalYamlException(new Diagnostic(DiagnosticIds.YamlSyntax, DiagnosticSeverity.Error, location,
                    $"YAML syntax error: alias '*{alias.Value.Value}' refers to no anchor defined before it",
                    $"define '&{alias.Value.Value}' on a node above this alias"));
            }

            // Check the budget before copying: expansion is what makes alias bombs expensive.
            _usedAliases = true;
            if (_nodes + (long)anchored.Count > MaxNodes)
            {
                throw new FatalYamlException(TooManyNodes(location));
            }

            _aliasedChars += anchored.Chars;
            if (_aliasedChars > MaxAliasedChars)
            {
                throw new FatalYamlException(new Diagnostic(DiagnosticIds.AliasLimit, DiagnosticSeverity.Error, location,
                    $"document copies more than {MaxAliasedChars:N0} characters of text through aliases",
                    "aliases (*name) copy their anchor's text: write a long text once, or shorten it"));
            }

            _chars += anchored.Chars;
            _nodes += anchored.Count - 1; // Attach counts the alias node itself.
            Attach(anchored.Node?.DeepClone(), location, scalar: null);
        }

        /// <summary>Adds a node to the open collection; returns its pointer and whether it is detached from the tree.</summary>
        private (string Pointer, bool Detached) Attach(JsonNode? node, SourceLocation location, ScalarSpan? scalar)
        {
            if (++_nodes > MaxNodes)
            {
                throw new FatalYamlException(TooManyNodes(location));
            }

            var top = _stack.Peek();
            string pointer;
            SourceLocation? keyLocation = null;
            var detached = top.Detached;
            if (top.IsRoot)
            {
                pointer = "";
                top.RootValue = node;
            }
            else if (top.Array is not null)
            {
                pointer = YamlSourceMap.Append(top.Pointer, top.ArrayLength++);
                top.Array.Add(node);
            }
            else
            {
                var key = top.PendingKey!;
                pointer = YamlSourceMap.Append(top.Pointer, key);
                keyLocation = top.PendingKeyLocation;
                if (top.DiscardValue)
                {
                    detached = true;
                }
                else
                {
                    top.Object![key] = node;
                }

                top.PendingKey = null;
                top.DiscardValue = false;
            }

            if (!detached)
            {
                Entries.Add(new YamlSourceMap.PendingEntry(pointer, location, keyLocation, scalar));
            }

            return (pointer, detached);
        }

        private Diagnostic TooManyNodes(SourceLocation location) => new(DiagnosticIds.AliasLimit, DiagnosticSeverity.Error, location,
            _usedAliases
                ? $"document expands to more than {MaxNodes} nodes through aliases"
                : $"document has more than {MaxNodes} nodes",
            _usedAliases
                ? "aliases (*name) copy their anchor: avoid aliases of aliases, or write the values out"
                : "split the document into several smaller documents");

        private FatalYamlException NonScalarKey(SourceLocation location) => new(new Diagnostic(DiagnosticIds.YamlSyntax, DiagnosticSeverity.Error, location,
            "YAML syntax error: a mapping key must be a plain string, not a list, a mapping or an alias",
            // The usual cause: a message template written without quotes, reason: {{ data.fileName }} is frozen, where
            // YAML reads the braces as a mapping inside a mapping.
            LineAt(location.Line).Contains("{{", StringComparison.Ordinal)
                ? "a value that starts with {{ is read by YAML as a mapping: quote it, e.g. reason: \"{{ data.fileName }} is frozen\""
                : "write the key as text, e.g. name: value"));

        /// <summary>The text of a 1-based line of the document (empty past its end).</summary>
        private string LineAt(int line)
        {
            var start = 0;
            for (var current = 1; current < line && start >= 0; current++)
            {
                start = text.IndexOf('\n', start) is var next and >= 0 ? next + 1 : -1;
            }

            if (start < 0 || start > text.Length)
            {
                return "";
            }

            var end = text.IndexOf('\n', start);
            return end < 0 ? text[start..] : text[start..end];
        }

        private static ScalarSpan Span(Scalar scalar, string file, string text)
        {
            var quoting = scalar.Style switch
            {
                ScalarStyle.SingleQuoted => ScalarQuoting.SingleQuoted,
                ScalarStyle.DoubleQuoted => ScalarQuoting.DoubleQuoted,
                ScalarStyle.Literal => ScalarQuoting.Literal,
                ScalarStyle.Folded => ScalarQuoting.Folded,
                _ => ScalarQuoting.Plain,
            };

            if (quoting is ScalarQuoting.Literal or ScalarQuoting.Folded)
            {
                // C# conditions in block scalars map compile errors line by line: find the first content line.
                return new ScalarSpan(quoting, null) { ContentStart = BlockContentStart(file, text, (int)scalar.Start.Line) };
            }

            // Only one-line scalars can be mapped character by character; the source text is kept only where a
            // template might need it (a '{'), or where escapes make a double-quoted value shorter than its source (a
            // condition with \" in it), to keep source maps small.
            string? raw = null;
            var escaped = quoting == ScalarQuoting.DoubleQuoted && scalar.End.Column - scalar.Start.Column != scalar.Value.Length + 2;
            if (scalar.Start.Line == scalar.End.Line && (scalar.Value.Contains('{') || escaped))
            {
                raw = quoting switch
                {
                    ScalarQuoting.Plain when scalar.End.Column - scalar.Start.Column == scalar.Value.Length => scalar.Value,
                    ScalarQuoting.SingleQuoted => SourceOf(scalar, text, '\''),
                    ScalarQuoting.DoubleQuoted => SourceOf(scalar, text, '"'),
                    _ => null,
                };
            }

            return raw is null ? s_plainSpans[(int)quoting] : new ScalarSpan(quoting, raw);
        }

        // A scalar without source text is fully described by its quoting: one shared (immutable) span per quoting.
        private static readonly ScalarSpan[] s_plainSpans = [.. Enum.GetValues<ScalarQuoting>().Select(q => new ScalarSpan(q, null))];

        private static SourceLocation? BlockContentStart(string file, string text, int indicatorLine)
        {
            var lineNumber = 1;
            var index = 0;
            while (lineNumber <= indicatorLine && index >= 0)
            {
                index = text.IndexOf('\n', index) is var next and >= 0 ? next + 1 : -1;
                lineNumber++;
            }

            while (index >= 0 && index < text.Length)
            {
                var end = text.IndexOf('\n', index);
                var line = end < 0 ? text[index..] : text[index..end];
                if (line.Trim().Length > 0)
                {
                    return new SourceLocation(file, lineNumber, line.Length - line.TrimStart(' ').Length + 1);
                }

                index = end < 0 ? -1 : end + 1;
                lineNumber++;
            }

            return null;
        }

        /// <summary>
        /// A one-line quoted scalar's text as written, quotes included, read from the file at the parser's marks (the
        /// event carries only the value); null when the marks do not fit the text, and positions then fall back to the
        /// scalar's start.
        /// </summary>
        private static string? SourceOf(Scalar scalar, string text, char quote)
        {
            var (start, end) = (scalar.Start.Index, scalar.End.Index);
            return start >= 0 && end <= text.Length && end - start >= 2 && text[(int)start] == quote && text[(int)end - 1] == quote
                ? text[(int)start..(int)end]
                : null;
        }

        private SourceLocation Location(Mark mark) => new(file, ToInt(mark.Line), ToInt(mark.Column));

        private static string Where(string pointer) => pointer.Length == 0 ? "" : $" in {PointerDisplay.ToDisplay(pointer)}";
    }
}
