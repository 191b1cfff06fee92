using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Umt.Tests.Architecture;

/// <summary>
/// Which namespace uses which, read from an assembly's IL (signatures, attributes, method bodies), so
/// a dependency counts whether it is written as a <c>using</c>, a qualified name or a lambda's closure.
/// Compiler-generated nested types count for the namespace of the type that declares them.
/// </summary>
public sealed class NamespaceGraph
{
    private readonly Dictionary<string, Dictionary<string, string>> _edges = new(StringComparer.Ordinal);

    private NamespaceGraph(IEnumerable<string> namespaces)
    {
        foreach (string ns in namespaces)
        {
            _edges[ns] = new Dictionary<string, string>(StringComparer.Ordinal);
        }
    }

    /// <summary>Every namespace under the root given to <see cref="Read"/> that declares a type.</summary>
    public IReadOnlyCollection<string> Namespaces => _edges.Keys;

    /// <summary>Every use of one namespace by another, with one example "user → used" type pair.</summary>
    public IEnumerable<(string From, string To, string Example)> Edges =>
        _edges.SelectMany(from => from.Value.Select(to => (from.Key, to.Key, to.Value)));

    /// <summary>Reads the namespaces under <paramref name="root"/> (itself included) of one assembly.</summary>
    public static NamespaceGraph Read(string assemblyPath, string root)
    {
        using var module = ModuleDefinition.ReadModule(assemblyPath);
        bool InScope(string ns) => ns == root || ns.StartsWith(root + ".", StringComparison.Ordinal);
        var types = module.GetTypes().Where(t => InScope(NamespaceOf(t))).ToList();
        var graph = new NamespaceGraph(types.Select(NamespaceOf).Distinct());
        foreach (TypeDefinition type in types)
        {
            string from = NamespaceOf(type);
            foreach (TypeReference used in UsedTypes(type))
            {
                string to = NamespaceOf(used);
                if (to != from && InScope(to))
                {
                    graph._edges[from].TryAdd(to, $"{type.FullName} → {used.FullName}");
                }
            }
        }
        return graph;
    }

    /// <summary>Groups of namespaces that reach each other (strongly connected components of two or more).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        // Tarjan's algorithm; the graph has a few dozen nodes, so recursion depth is no concern.
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var groups = new List<IReadOnlyList<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (string w in _edges[v].Keys)
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }
            if (low[v] != index[v])
            {
                return;
            }
            var group = new List<string>();
            string x;
            do
            {
                x = stack.Pop();
                onStack.Remove(x);
                group.Add(x);
            }
            while (x != v);
            if (group.Count > 1)
            {
                group.Sort(StringComparer.Ordinal);
                groups.Add(group);
            }
        }
        foreach (string v in _edges.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(v))
            {
                Visit(v);
            }
        }
        return groups;
    }

    private static string NamespaceOf(TypeReference type)
    {
        while (type is TypeSpecification spec)
        {
            type = spec.ElementType;
        }
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }
        return type.Namespace;
    }

    private static IEnumerable<TypeReference> UsedTypes(TypeDefinition type)
    {
        var found = new List<TypeReference>();
        void Add(TypeReference? t)
        {
            if (t is null)
            {
                return;
            }
            found.Add(t);
            if (t is GenericInstanceType generic)
            {
                generic.GenericArguments.ToList().ForEach(Add);
            }
            if (t is TypeSpecification spec)
            {
                Add(spec.ElementType);
            }
        }
        void AddAttributes(ICustomAttributeProvider provider)
        {
            foreach (CustomAttribute attribute in provider.CustomAttributes)
            {
                Add(attribute.AttributeType);
                foreach (CustomAttributeArgument argument in attribute.ConstructorArguments)
                {
                    Add(argument.Value as TypeReference);
                }
            }
        }
        void AddMember(MemberReference member)
        {
            Add(member.DeclaringType);
            switch (member)
            {
                case MethodReference method:
                    Add(method.ReturnType);
                    method.Parameters.ToList().ForEach(p => Add(p.ParameterType));
                    if (method is GenericInstanceMethod genericMethod)
                    {
                        genericMethod.GenericArguments.ToList().ForEach(Add);
                    }
                    break;
                case FieldReference field:
                    Add(field.FieldType);
                    break;
            }
        }

        Add(type.BaseType);
        type.Interfaces.ToList().ForEach(i => Add(i.InterfaceType));
        AddAttributes(type);
        type.GenericParameters.SelectMany(g => g.Constraints).ToList().ForEach(c => Add(c.ConstraintType));
        foreach (FieldDefinition field in type.Fields)
        {
            Add(field.FieldType);
            AddAttributes(field);
        }
        foreach (PropertyDefinition property in type.Properties)
        {
            Add(property.PropertyType);
            AddAttributes(property);
        }
        foreach (EventDefinition @event in type.Events)
        {
            Add(@event.EventType);
        }
        foreach (MethodDefinition method in type.Methods)
        {
            AddMember(method);
            AddAttributes(method);
            method.Parameters.ToList().ForEach(p => AddAttributes(p));
            if (!method.HasBody)
            {
                continue;
            }
            method.Body.Variables.ToList().ForEach(v => Add(v.VariableType));
            foreach (Instruction instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference t:
                        Add(t);
                        break;
                    case MemberReference m:
                        AddMember(m);
                        break;
                }
            }
        }
        return found;
    }
}
