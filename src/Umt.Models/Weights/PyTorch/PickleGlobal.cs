using System.Text;
using static TorchSharp.torch;

namespace Umt.Models.Weights.PyTorch;

/// <summary>What an allowed global stands for.</summary>
internal enum PickleGlobalKind
{
    /// <summary><c>collections.OrderedDict</c>: an empty (or pair-initialised) dict.</summary>
    OrderedDict,

    /// <summary><c>torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])</c>.</summary>
    RebuildTensor,

    /// <summary><c>torch._utils._rebuild_parameter(data, requires_grad, hooks)</c> and <c>_rebuild_parameter_with_state</c>: the data.</summary>
    RebuildParameter,

    /// <summary><c>torch.XxxStorage</c>: only ever an argument of a persistent id.</summary>
    Storage,

    /// <summary><c>_codecs.encode(text, 'latin1')</c>: how pickle protocol 2 writes non-empty bytes.</summary>
    CodecsEncode,

    /// <summary><c>builtins.bytes()</c> without arguments: how pickle protocol 2 writes empty bytes.</summary>
    EmptyBytes,

    /// <summary><c>torch.jit._pickle.build_intlist</c> and its siblings: a typed TorchScript list, kept as a list.</summary>
    TorchScriptList,

    /// <summary><c>torch.jit._pickle.restore_type_tag(value, type)</c>: the value.</summary>
    TorchScriptTypeTag,

    /// <summary>A <c>__torch__.*</c> TorchScript class: instantiated as an <see cref="InertObject"/>.</summary>
    TorchScriptClass,

    /// <summary><c>argparse.Namespace</c>, the reference's <c>args</c> in a training checkpoint: an <see cref="InertObject"/> holding its options.</summary>
    Namespace,

    /// <summary>
    /// <c>easydict.EasyDict</c>, the multi-modality trainer's <c>config</c> in a training checkpoint:
    /// a dict subclass, so it is built as the dict its SETITEMS fill (its BUILD state, the same
    /// entries mirrored as attributes, is dropped like an OrderedDict's).
    /// </summary>
    EasyDict,

    /// <summary><c>torch.Size(tuple)</c>, e.g. DeepSpeed's <c>param_shapes</c>: the tuple.</summary>
    Size,

    /// <summary><c>builtins.set(list)</c> / <c>frozenset(list)</c> as protocol 2 writes them (DeepSpeed's <c>sparse_tensor_module_names</c>): the items as a list.</summary>
    Set,
}

/// <summary>
/// A global a pickle named (GLOBAL / STACK_GLOBAL) that is on the allow-list: a marker for the
/// data constructor it stands for, never a reference to code. <see cref="Resolve"/> holds the
/// allow-list; <see cref="Call"/> builds the data a REDUCE or NEWOBJ of it means.
/// </summary>
internal sealed record PickleGlobal(string Module, string Name, PickleGlobalKind Kind, ScalarType StorageType = default, int StorageElementSize = 0)
{
    private static readonly HashSet<string> TorchScriptListBuilders =
        ["build_intlist", "build_doublelist", "build_boollist", "build_tensorlist", "build_complexlist"];

    /// <summary>The dotted name, as in messages.</summary>
    public string FullName => $"{Module}.{Name}";

    /// <summary>The allow-listed global <paramref name="module"/>.<paramref name="name"/>.</summary>
    /// <exception cref="UnsafePickleException">Anything else: refused before anything could be called.</exception>
    public static PickleGlobal Resolve(string path, string module, string name)
    {
        PickleGlobalKind? kind = (module, name) switch
        {
            ("collections", "OrderedDict") => PickleGlobalKind.OrderedDict,
            ("torch._utils", "_rebuild_tensor_v2") => PickleGlobalKind.RebuildTensor,
            ("torch._utils", "_rebuild_parameter" or "_rebuild_parameter_with_state") => PickleGlobalKind.RebuildParameter,
            ("_codecs", "encode") => PickleGlobalKind.CodecsEncode,
            ("builtins" or "__builtin__", "bytes") => PickleGlobalKind.EmptyBytes,
            ("torch.jit._pickle", "restore_type_tag") => PickleGlobalKind.TorchScriptTypeTag,
            ("argparse", "Namespace") => PickleGlobalKind.Namespace,
            ("easydict", "EasyDict") => PickleGlobalKind.EasyDict,
            ("torch", "Size") => PickleGlobalKind.Size,
            ("builtins" or "__builtin__", "set" or "frozenset") => PickleGlobalKind.Set,
            ("torch.jit._pickle", _) when TorchScriptListBuilders.Contains(name) => PickleGlobalKind.TorchScriptList,
            ("torch", _) when TorchStorageTypes.TryGet(name, out _, out _) => PickleGlobalKind.Storage,
            _ when (module == "__torch__" || module.StartsWith("__torch__.", StringComparison.Ordinal)) && IsIdentifier(name) => PickleGlobalKind.TorchScriptClass,
            _ => null,
        };
        if (kind is null)
        {
            throw new UnsafePickleException(path, module, name);
        }
        if (kind == PickleGlobalKind.Storage)
        {
            TorchStorageTypes.TryGet(name, out var type, out var size);
            return new PickleGlobal(module, name, kind.Value, type, size);
        }
        return new PickleGlobal(module, name, kind.Value);
    }

    /// <summary>The data that calling this global with <paramref name="args"/> (REDUCE or NEWOBJ) builds.</summary>
    /// <param name="args">The call's arguments.</param>
    /// <param name="invalid">Makes the error for a call that builds no valid data.</param>
    /// <param name="budget">Charged for the copy a tensor view needs.</param>
    public object? Call(object?[] args, Func<string, InvalidDataException> invalid, ArchiveByteBudget budget)
    {
        switch (Kind)
        {
            case PickleGlobalKind.OrderedDict:
                return NewDict(args, invalid);
            case PickleGlobalKind.RebuildTensor:
                if (args.Length is < 6 or > 7 || args[0] is not TorchStorage storage || !IsInteger(args[1]))
                {
                    throw invalid($"{FullName} expects (storage, offset, size, stride, requires_grad, hooks[, metadata]), got {Describe(args)}");
                }
                return TensorRebuilder.Rebuild(storage, Convert.ToInt64(args[1]), Shape(args[2], "size", invalid), Shape(args[3], "stride", invalid), budget, invalid);
            case PickleGlobalKind.RebuildParameter:
                return args.Length is 3 or 4 && args[0] is Tensor data
                    ? data
                    : throw invalid($"{FullName} expects (tensor, requires_grad, hooks[, state]), got {Describe(args)}");
            case PickleGlobalKind.CodecsEncode:
                if (args is [string text, string encoding] && encoding.Replace("-", "").Equals("latin1", StringComparison.OrdinalIgnoreCase)
                    && text.All(c => c <= '\u00ff'))
                {
                    return Encoding.Latin1.GetBytes(text);
                }
                throw invalid($"{FullName} is only read as pickle's latin1 encoding of bytes, got {Describe(args)}");
            case PickleGlobalKind.EmptyBytes:
                return args.Length == 0 ? Array.Empty<byte>() : throw invalid($"{FullName} is only read without arguments (empty bytes), got {Describe(args)}");
            case PickleGlobalKind.TorchScriptList:
                return args is [List<object?> list] ? list : throw invalid($"{FullName} expects one list, got {Describe(args)}");
            case PickleGlobalKind.TorchScriptTypeTag:
                return args.Length == 2 ? args[0] : throw invalid($"{FullName} expects (value, type), got {Describe(args)}");
            case PickleGlobalKind.EasyDict:
                return args.Length == 0
                    ? new Dictionary<object, object?>()
                    : throw invalid($"{FullName} is only instantiated without arguments (its items follow), got {Describe(args)}");
            case PickleGlobalKind.Size:
                return args is [object?[] dimensions] && dimensions.All(IsInteger)
                    ? dimensions
                    : throw invalid($"{FullName} expects one tuple of integers, got {Describe(args)}");
            case PickleGlobalKind.Set:
                return args switch
                {
                    [] => new List<object?>(),
                    [List<object?> items] => items,
                    _ => throw invalid($"{FullName} expects no arguments or one list, got {Describe(args)}"),
                };
            case PickleGlobalKind.TorchScriptClass or PickleGlobalKind.Namespace:
                return args.Length == 0
                    ? new InertObject(FullName)
                    : throw invalid($"{FullName} is only instantiated without arguments, got {Describe(args)}");
            default:
                throw invalid($"{FullName} cannot be called");
        }
    }

    /// <summary>Short type description of call arguments, for messages.</summary>
    public static string Describe(object?[] args) => "(" + string.Join(", ", args.Select(a => a?.GetType().Name ?? "None")) + ")";

    private static Dictionary<object, object?> NewDict(object?[] args, Func<string, InvalidDataException> invalid)
    {
        var dict = new Dictionary<object, object?>();
        if (args.Length == 0)
        {
            return dict;
        }
        if (args is [List<object?> pairs])
        {
            foreach (var pair in pairs)
            {
                var keyValue = pair switch
                {
                    object?[] { Length: 2 } tuple => tuple,
                    List<object?> { Count: 2 } list => list.ToArray(),
                    _ => throw invalid("collections.OrderedDict expects key-value pairs"),
                };
                dict[keyValue[0] ?? throw invalid("a dict key is None")] = keyValue[1];
            }
            return dict;
        }
        throw invalid($"collections.OrderedDict expects no arguments or a list of pairs, got {Describe(args)}");
    }

    private static long[] Shape(object? value, string what, Func<string, InvalidDataException> invalid)
    {
        IEnumerable<object?>? items = value switch
        {
            object?[] tuple => tuple,
            List<object?> list => list,
            _ => null,
        };
        if (items is null || !items.All(IsInteger))
        {
            throw invalid($"a tensor's {what} is not a tuple of integers");
        }
        return items.Select(Convert.ToInt64).ToArray();
    }

    private static bool IsInteger(object? value) => value is long;

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
