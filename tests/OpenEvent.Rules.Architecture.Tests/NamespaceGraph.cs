using Mono.Cecil;
using Mono.Cecil.Cil;

namespace OpenEvent.Rules.Architecture.Tests;

/// <summary>
/// The namespace dependency graph of compiled assemblies: an edge A → B when some type declared in namespace A names a
/// type of namespace B anywhere in its metadata or IL (base type, interfaces, attributes, fields, signatures, locals,
/// every type, method and field an instruction refers to). Read from the assemblies rather than from `using` lines,
/// so that a dependency on a parent namespace (which needs no using) or through `var` counts too. Compiler-generated
/// nested types (closures, state machines) count for the type that declares them.
/// </summary>
internal sealed class NamespaceGraph
{
    private readonly SortedDictionary<string, SortedDictionary<string, string>> _edges;

    private NamespaceGraph(SortedDictionary<string, SortedDictionary<string, string>> edges)
    {
        _edges = edges;
    }

    /// <summary>Every namespace under the prefix that declares a type.</summary>
    public IEnumerable<string> Namespaces => _edges.Keys;

    /// <summary>Every edge between two different namespaces, with one place that makes it (for failure messages).</summary>
    public IEnumerable<(string From, string To, string Witness)> Edges =>
        _edges.SelectMany(from => from.Value.Select(to => (from.Key, to.Key, to.Value)));

    /// <summary>
    /// Reads the assemblies at <paramref name="assemblyPaths"/>; only namespaces equal to or under
    /// <paramref name="namespacePrefix"/> are nodes (the BCL, packages and generated helper namespaces are not).
    /// </summary>
    public static NamespaceGraph Read(IEnumerable<string> assemblyPaths, string namespacePrefix)
    {
        var edges = new SortedDictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var path in assemblyPaths)
        {
            using var assembly = AssemblyDefinition.ReadAssembly(path);
            foreach (var type in assembly.MainModule.GetTypes())
            {
                var from = NamespaceOf(type);
                if (!IsUnder(from, namespacePrefix))
                {
                    continue;
                }

                if (!edges.TryGetValue(from, out var targets))
                {
                    targets = new SortedDictionary<string, string>(StringComparer.Ordinal);
                    edges.Add(from, targets);
                }

                foreach (var (used, where) in References(type))
                {
                    var to = NamespaceOf(used);
                    if (to != from && IsUnder(to, namespacePrefix))
                    {
                        targets.TryAdd(to, $"{where} uses {used.FullName}");
                    }
                }
            }
        }

        return new NamespaceGraph(edges);
    }

    /// <summary>The namespaces of each cycle (see <see cref="Cycles(IReadOnlyDictionary{string, IEnumerable{string}})"/>).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles() =>
        Cycles(_edges.ToDictionary(e => e.Key, e => (IEnumerable<string>)e.Value.Keys, StringComparer.Ordinal));

    /// <summary>
    /// The nodes of each cycle of a directed graph: every strongly connected component with more than one node
    /// (Tarjan), each sorted, the list ordered by its first node. Self-edges are not cycles.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Cycles(IReadOnlyDictionary<string, IEnumerable<string>> successors)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<IReadOnlyList<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in successors.TryGetValue(node, out var targets) ? targets : [])
            {
                if (!index.ContainsKey(next))
                {
                    // Recursion depth is bounded by the number of namespaces (tens).
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next) && index.TryGetValue(next, out var nextIndex))
                {
                    low[node] = Math.Min(low[node], nextIndex);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);

                if (component.Count > 1)
                {
                    component.Sort(StringComparer.Ordinal);
                    components.Add(component);
                }
            }
        }

        foreach (var node in successors.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return [.. components.OrderBy(c => c[0], StringComparer.Ordinal)];
    }

    /// <summary>The edges inside one cycle, each with its witness: what to cut.</summary>
    public IEnumerable<string> Describe(IReadOnlyList<string> cycle) =>
        Edges.Where(e => cycle.Contains(e.From) && cycle.Contains(e.To)).Select(e => $"{e.From} → {e.To} ({e.Witness})");

    private static bool IsUnder(string ns, string prefix) =>
        ns == prefix || ns.StartsWith(prefix + ".", StringComparison.Ordinal);

    private static string NamespaceOf(TypeReference type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type.Namespace;
    }

    // Every type the definition names, with the member that names it.
    private static IEnumerable<(TypeReference Type, string Where)> References(TypeDefinition type)
    {
        var name = type.FullName;
        var found = new List<(TypeReference, string)>();
        void Add(TypeReference? reference, string where) => Collect(reference, where, found);

        Add(type.BaseType, name);
        foreach (var implemented in type.Interfaces)
        {
            Add(implemented.InterfaceType, name);
        }

        AddAttributes(type, name, found);
        AddGenericConstraints(type, name, found);
        foreach (var field in type.Fields)
        {
            Add(field.FieldType, $"{name}.{field.Name}");
            AddAttributes(field, $"{name}.{field.Name}", found);
        }

        foreach (var property in type.Properties)
        {
            Add(property.PropertyType, $"{name}.{property.Name}");
            AddAttributes(property, $"{name}.{property.Name}", found);
        }

        foreach (var @event in type.Events)
        {
            Add(@event.EventType, $"{name}.{@event.Name}");
        }

        foreach (var method in type.Methods)
        {
            AddMethod(method, $"{name}.{method.Name}", found);
        }

        return found;
    }

    private static void AddMethod(MethodDefinition method, string where, List<(TypeReference, string)> found)
    {
        Collect(method.ReturnType, where, found);
        AddAttributes(method, where, found);
        AddAttributes(method.MethodReturnType, where, found);
        AddGenericConstraints(method, where, found);
        foreach (var parameter in method.Parameters)
        {
            Collect(parameter.ParameterType, where, found);
            AddAttributes(parameter, where, found);
        }

        if (!method.HasBody)
        {
            return;
        }

        foreach (var variable in method.Body.Variables)
        {
            Collect(variable.VariableType, where, found);
        }

        foreach (var handler in method.Body.ExceptionHandlers)
        {
            Collect(handler.CatchType, where, found);
        }

        foreach (var instruction in method.Body.Instructions)
        {
            switch (instruction.Operand)
            {
                case TypeReference operand:
                    Collect(operand, where, found);
                    break;
                case MethodReference operand:
                    AddMethodReference(operand, where, found);
                    break;
                case FieldReference operand:
                    Collect(operand.DeclaringType, where, found);
                    Collect(operand.FieldType, where, found);
                    break;
                case CallSite operand:
                    Collect(operand.ReturnType, where, found);
                    foreach (var parameter in operand.Parameters)
                    {
                        Collect(parameter.ParameterType, where, found);
                    }

                    break;
            }
        }
    }

    private static void AddMethodReference(MethodReference method, string where, List<(TypeReference, string)> found)
    {
        Collect(method.DeclaringType, where, found);
        Collect(method.ReturnType, where, found);
        foreach (var parameter in method.Parameters)
        {
            Collect(parameter.ParameterType, where, found);
        }

        if (method is GenericInstanceMethod generic)
        {
            foreach (var argument in generic.GenericArguments)
            {
                Collect(argument, where, found);
            }
        }
    }

    private static void AddAttributes(ICustomAttributeProvider provider, string where, List<(TypeReference, string)> found)
    {
        if (!provider.HasCustomAttributes)
        {
            return;
        }

        foreach (var attribute in provider.CustomAttributes)
        {
            Collect(attribute.AttributeType, where, found);
            // typeof(...) arguments, e.g. a source-generated serializer context naming its types.
            foreach (var argument in attribute.ConstructorArguments.Concat(attribute.Properties.Select(p => p.Argument)).Concat(attribute.Fields.Select(f => f.Argument)))
            {
                if (argument.Value is TypeReference typeArgument)
                {
                    Collect(typeArgument, where, found);
                }
            }
        }
    }

    private static void AddGenericConstraints(IGenericParameterProvider provider, string where, List<(TypeReference, string)> found)
    {
        foreach (var parameter in provider.GenericParameters)
        {
            foreach (var constraint in parameter.Constraints)
            {
                Collect(constraint.ConstraintType, where, found);
            }
        }
    }

    // Adds a type and every type it is built from (generic arguments, element types of arrays, pointers, by-refs).
    private static void Collect(TypeReference? type, string where, List<(TypeReference, string)> found)
    {
        switch (type)
        {
            case null:
            case GenericParameter:
                return;
            case GenericInstanceType generic:
                Collect(generic.ElementType, where, found);
                foreach (var argument in generic.GenericArguments)
                {
                    Collect(argument, where, found);
                }

                return;
            case FunctionPointerType pointer:
                Collect(pointer.ReturnType, where, found);
                foreach (var parameter in pointer.Parameters)
                {
                    Collect(parameter.ParameterType, where, found);
                }

                return;
            case RequiredModifierType required:
                Collect(required.ModifierType, where, found);
                Collect(required.ElementType, where, found);
                return;
            case OptionalModifierType optional:
                Collect(optional.ModifierType, where, found);
                Collect(optional.ElementType, where, found);
                return;
            case TypeSpecification specification:
                Collect(specification.ElementType, where, found);
                return;
            default:
                found.Add((type, where));
                return;
        }
    }
}
