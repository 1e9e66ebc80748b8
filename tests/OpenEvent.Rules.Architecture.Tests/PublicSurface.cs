using Mono.Cecil;

namespace OpenEvent.Rules.Architecture.Tests;

/// <summary>
/// Which public types of the engine assemblies are needed as public: those another engine assembly names, those the
/// C# conditions are compiled against (an emitted assembly sees only public types), the entry points, and — so that
/// the compiler's accessibility rules hold — every type a needed type shows in its own public signatures. Any other
/// public type should be internal (the tests and benchmarks see internals through InternalsVisibleTo).
/// </summary>
internal static class PublicSurface
{
    public static IReadOnlyList<string> Unneeded(IEnumerable<string> assemblyPaths, IReadOnlyCollection<string> alwaysPublicNamespaces)
    {
        var modules = assemblyPaths.Select(path => ModuleDefinition.ReadModule(path)).ToList();
        try
        {
            var declared = modules.SelectMany(m => m.Types).Where(t => t.IsPublic).ToDictionary(Key);
            var needed = new HashSet<string>(StringComparer.Ordinal);
            var work = new Queue<TypeDefinition>();
            void Need(TypeDefinition type)
            {
                if (declared.ContainsKey(Key(type)) && needed.Add(Key(type)))
                {
                    work.Enqueue(type);
                }
            }

            foreach (var module in modules)
            {
                foreach (var reference in module.GetTypeReferences())
                {
                    if (declared.TryGetValue($"{Top(reference).Scope.Name}|{Top(reference).FullName}", out var type))
                    {
                        Need(type);
                    }
                }

                foreach (var type in module.Types.Where(t => t.IsPublic && (alwaysPublicNamespaces.Contains(t.Namespace) || t.Name == "Program")))
                {
                    Need(type);
                }
            }

            while (work.TryDequeue(out var type))
            {
                foreach (var shown in Shown(type))
                {
                    var top = Top(shown);
                    if (top.Module == type.Module && top.Resolve() is { } definition)
                    {
                        Need(definition);
                    }
                }
            }

            return declared.Keys.Where(key => !needed.Contains(key)).Order(StringComparer.Ordinal).ToList();
        }
        finally
        {
            modules.ForEach(m => m.Dispose());
        }
    }

    private static string Key(TypeDefinition type) => $"{type.Module.Assembly.Name.Name}|{type.FullName}";

    private static TypeReference Top(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    // Every type a type shows outside its assembly: base type, interfaces, and the signatures of its visible members
    // and visible nested types, with generic arguments, arrays and by-refs unwrapped.
    private static IEnumerable<TypeReference> Shown(TypeDefinition type)
    {
        var direct = new List<TypeReference>();
        if (type.BaseType is not null)
        {
            direct.Add(type.BaseType);
        }

        direct.AddRange(type.Interfaces.Select(i => i.InterfaceType));
        direct.AddRange(type.GenericParameters.SelectMany(p => p.Constraints.Select(c => c.ConstraintType)));
        direct.AddRange(type.Fields.Where(f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly).Select(f => f.FieldType));
        foreach (var method in type.Methods.Where(m => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly))
        {
            direct.Add(method.ReturnType);
            direct.AddRange(method.Parameters.Select(p => p.ParameterType));
            direct.AddRange(method.GenericParameters.SelectMany(p => p.Constraints.Select(c => c.ConstraintType)));
        }

        foreach (var nested in type.NestedTypes.Where(n => n.IsNestedPublic || n.IsNestedFamily || n.IsNestedFamilyOrAssembly))
        {
            direct.AddRange(Shown(nested));
        }

        return direct.SelectMany(Unwrap);
    }

    private static IEnumerable<TypeReference> Unwrap(TypeReference type)
    {
        switch (type)
        {
            case GenericInstanceType generic:
                yield return generic.ElementType;
                foreach (var argument in generic.GenericArguments.SelectMany(Unwrap))
                {
                    yield return argument;
                }

                break;
            case TypeSpecification specification:
                foreach (var element in Unwrap(specification.ElementType))
                {
                    yield return element;
                }

                break;
            case GenericParameter:
                break;
            default:
                yield return type;
                break;
        }
    }
}
