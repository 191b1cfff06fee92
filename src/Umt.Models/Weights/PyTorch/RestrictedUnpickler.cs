using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Umt.Models.Weights.PyTorch;

/// <summary>
/// A pickle virtual machine (protocols 2–5) that only builds data: dicts
/// (<see cref="Dictionary{TKey, TValue}"/> keyed by object, insertion-ordered), lists
/// (<see cref="List{T}"/>), tuples (<c>object?[]</c>), None (null), bool, int (long, or
/// <see cref="BigInteger"/> beyond 64 bits), float (double), str (string), bytes (byte[]),
/// tensors and inert objects (TorchScript modules, <c>argparse.Namespace</c>). Every global is resolved against the allow-list of
/// <see cref="PickleGlobal"/> the moment it is named, so a pickle that names anything else is
/// refused before any later opcode is read; nothing a pickle names is ever called.
/// </summary>
/// <remarks>
/// Implements the opcodes <c>torch.save</c> (Python's pickler, protocol 2 by default) and the
/// TorchScript pickler emit, plus their close relatives; the text opcodes of protocols 0–1,
/// extension registry codes, protocol 4's set opcodes and out-of-band buffers are rejected as
/// unsupported (protocol 2, which <c>torch.save</c> uses, writes a set as a call of <c>builtins.set</c>).
/// </remarks>
internal sealed class RestrictedUnpickler
{
    private const int MaxLineBytes = 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string path;
    private readonly string what;
    private readonly byte[] data;
    private readonly Func<object?, object?> persistentLoad;
    private readonly ArchiveByteBudget budget;
    private readonly Dictionary<long, object?> memo = [];
    private readonly Stack<List<object?>> metastack = new();
    private List<object?> stack = [];
    private int position;

    /// <param name="path">The file, for messages.</param>
    /// <param name="what">The pickle within the file (e.g. <c>archive/data.pkl</c>), for messages.</param>
    /// <param name="data">The whole pickle.</param>
    /// <param name="persistentLoad">What a persistent id (BINPERSID) stands for.</param>
    /// <param name="budget">Charged for the tensor copies the pickle's views need.</param>
    public RestrictedUnpickler(string path, string what, byte[] data, Func<object?, object?> persistentLoad, ArchiveByteBudget budget)
    {
        this.path = path;
        this.what = what;
        this.data = data;
        this.persistentLoad = persistentLoad;
        this.budget = budget;
    }

    /// <summary>Runs the pickle to its STOP and returns the object it built.</summary>
    /// <exception cref="UnsafePickleException">The pickle names a global outside the allow-list.</exception>
    /// <exception cref="InvalidDataException">The pickle is malformed, truncated or uses an unsupported opcode.</exception>
    public object? Load()
    {
        while (true)
        {
            if (position >= data.Length)
            {
                throw Invalid($"the pickle ends at byte {data.Length} without a STOP opcode (truncated?)");
            }
            var start = position;
            var opcode = data[position++];
            try
            {
                if (Step(opcode))
                {
                    return Pop();
                }
            }
            catch (Exception e) when (e is InvalidCastException or ArgumentException or OverflowException or KeyNotFoundException)
            {
                throw Invalid($"opcode 0x{opcode:x2} at byte {start} does not fit the stack ({e.Message})");
            }
        }
    }

    /// <summary>Executes one opcode; true at STOP.</summary>
    private bool Step(byte opcode)
    {
        switch (opcode)
        {
            case 0x80: // PROTO
                var protocol = ReadByte();
                if (protocol > 5)
                {
                    throw Invalid($"pickle protocol {protocol} is not supported (2 to 5 are)");
                }
                break;
            case 0x95: // FRAME: a length hint; the data follows inline
                ReadBytes(8);
                break;
            case 0x2e: // STOP
                return true;

            case 0x28: // MARK
                metastack.Push(stack);
                stack = [];
                break;
            case 0x30: // POP
                if (stack.Count > 0)
                {
                    Pop();
                }
                else
                {
                    PopMark();
                }
                break;
            case 0x31: // POP_MARK
                PopMark();
                break;
            case 0x32: // DUP
                Push(Peek());
                break;

            case 0x4e: // NONE
                Push(null);
                break;
            case 0x88: // NEWTRUE
                Push(true);
                break;
            case 0x89: // NEWFALSE
                Push(false);
                break;
            case 0x4a: // BININT
                Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4)));
                break;
            case 0x4b: // BININT1
                Push((long)ReadByte());
                break;
            case 0x4d: // BININT2
                Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2)));
                break;
            case 0x8a: // LONG1
                Push(ReadLong(ReadByte()));
                break;
            case 0x8b: // LONG4
                Push(ReadLong(ReadLength(BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4)))));
                break;
            case 0x47: // BINFLOAT: big-endian IEEE 754 double
                Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8)));
                break;

            case 0x8c: // SHORT_BINUNICODE
                Push(ReadUtf8(ReadByte()));
                break;
            case 0x58: // BINUNICODE
                Push(ReadUtf8(ReadLength(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))));
                break;
            case 0x8d: // BINUNICODE8
                Push(ReadUtf8(ReadLength(BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8)))));
                break;
            case 0x55: // SHORT_BINSTRING (a Python 2 str)
                Push(Encoding.Latin1.GetString(ReadBytes(ReadByte())));
                break;
            case 0x54: // BINSTRING
                Push(Encoding.Latin1.GetString(ReadBytes(ReadLength(BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))))));
                break;
            case 0x43: // SHORT_BINBYTES
                Push(ReadBytes(ReadByte()).ToArray());
                break;
            case 0x42: // BINBYTES
                Push(ReadBytes(ReadLength(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))).ToArray());
                break;
            case 0x8e: // BINBYTES8
            case 0x96: // BYTEARRAY8
                Push(ReadBytes(ReadLength(BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8)))).ToArray());
                break;

            case 0x7d: // EMPTY_DICT
                Push(new Dictionary<object, object?>());
                break;
            case 0x5d: // EMPTY_LIST
                Push(new List<object?>());
                break;
            case 0x29: // EMPTY_TUPLE
                Push(Array.Empty<object?>());
                break;
            case 0x85: // TUPLE1
                Push(new[] { Pop() });
                break;
            case 0x86: // TUPLE2
            {
                var second = Pop();
                var first = Pop();
                Push(new[] { first, second });
                break;
            }
            case 0x87: // TUPLE3
            {
                var third = Pop();
                var second = Pop();
                var first = Pop();
                Push(new[] { first, second, third });
                break;
            }
            case 0x74: // TUPLE
                Push(PopMark().ToArray());
                break;
            case 0x6c: // LIST
                Push(PopMark());
                break;
            case 0x64: // DICT
            {
                var items = PopMark();
                var dict = new Dictionary<object, object?>();
                SetItems(dict, items);
                Push(dict);
                break;
            }

            case 0x71: // BINPUT
                memo[ReadByte()] = Peek();
                break;
            case 0x72: // LONG_BINPUT
                memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Peek();
                break;
            case 0x94: // MEMOIZE
                memo[memo.Count] = Peek();
                break;
            case 0x68: // BINGET
                Push(Recall(ReadByte()));
                break;
            case 0x6a: // LONG_BINGET
                Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))));
                break;

            case 0x73: // SETITEM
            {
                var value = Pop();
                var key = Pop();
                SetItems(Target<Dictionary<object, object?>>("SETITEM"), [key, value]);
                break;
            }
            case 0x75: // SETITEMS
            {
                var items = PopMark();
                SetItems(Target<Dictionary<object, object?>>("SETITEMS"), items);
                break;
            }
            case 0x61: // APPEND
            {
                var item = Pop();
                Target<List<object?>>("APPEND").Add(item);
                break;
            }
            case 0x65: // APPENDS
            {
                var items = PopMark();
                Target<List<object?>>("APPENDS").AddRange(items);
                break;
            }

            case 0x63: // GLOBAL: "module\nname\n"
            {
                var module = ReadLine();
                var name = ReadLine();
                Push(PickleGlobal.Resolve(path, module, name));
                break;
            }
            case 0x93: // STACK_GLOBAL
            {
                var name = Pop() as string;
                var module = Pop() as string;
                if (module is null || name is null)
                {
                    throw Invalid("STACK_GLOBAL expects two strings");
                }
                Push(PickleGlobal.Resolve(path, module, name));
                break;
            }
            case 0x52: // REDUCE
            {
                var args = Pop() as object?[] ?? throw Invalid("REDUCE expects an argument tuple");
                var callable = Pop() as PickleGlobal ?? throw Invalid("REDUCE expects a global to call");
                Push(callable.Call(args, Invalid, budget));
                break;
            }
            case 0x81: // NEWOBJ
            {
                var args = Pop() as object?[] ?? throw Invalid("NEWOBJ expects an argument tuple");
                Push(NewObject(Pop(), args));
                break;
            }
            case 0x92: // NEWOBJ_EX
            {
                var kwargs = Pop() as Dictionary<object, object?> ?? throw Invalid("NEWOBJ_EX expects a keyword dict");
                var args = Pop() as object?[] ?? throw Invalid("NEWOBJ_EX expects an argument tuple");
                if (kwargs.Count > 0)
                {
                    throw Invalid("NEWOBJ_EX with keyword arguments is not supported");
                }
                Push(NewObject(Pop(), args));
                break;
            }
            case 0x62: // BUILD
            {
                var state = Pop();
                switch (Peek())
                {
                    case InertObject instance:
                        instance.State = state;
                        break;
                    case Dictionary<object, object?>:
                        break;   // a dict subclass's instance attributes (a state dict's `_metadata`, an EasyDict's mirror of its items): not data
                    case var other:
                        throw Invalid($"BUILD on a {other?.GetType().Name ?? "None"} is not supported");
                }
                break;
            }
            case 0x51: // BINPERSID
                Push(persistentLoad(Pop()));
                break;

            default:
                throw Invalid($"unsupported pickle opcode 0x{opcode:x2} ('{(char)opcode}') at byte {position - 1}");
        }
        return false;
    }

    private object NewObject(object? cls, object?[] args) => cls is PickleGlobal { Kind: PickleGlobalKind.TorchScriptClass or PickleGlobalKind.Namespace or PickleGlobalKind.OrderedDict or PickleGlobalKind.EasyDict } global
        ? global.Call(args, Invalid, budget)!
        : throw Invalid($"NEWOBJ of {(cls as PickleGlobal)?.FullName ?? cls?.GetType().Name ?? "None"} is not supported");

    private void SetItems(Dictionary<object, object?> dict, List<object?> items)
    {
        if (items.Count % 2 != 0)
        {
            throw Invalid("a dict is given an odd number of keys and values");
        }
        for (var i = 0; i < items.Count; i += 2)
        {
            dict[items[i] ?? throw Invalid("a dict key is None, which is not supported")] = items[i + 1];
        }
    }

    private T Target<T>(string opcode) where T : class =>
        Peek() as T ?? throw Invalid($"{opcode} on a {Peek()?.GetType().Name ?? "None"}");

    private void Push(object? value) => stack.Add(value);

    private object? Peek() => stack.Count > 0 ? stack[^1] : throw Invalid("the pickle reads from an empty stack");

    private object? Pop()
    {
        var value = Peek();
        stack.RemoveAt(stack.Count - 1);
        return value;
    }

    private List<object?> PopMark()
    {
        if (metastack.Count == 0)
        {
            throw Invalid("the pickle pops a MARK it never set");
        }
        var items = stack;
        stack = metastack.Pop();
        return items;
    }

    private object? Recall(long index) =>
        memo.TryGetValue(index, out var value) ? value : throw Invalid($"memo entry {index} is read before it is written");

    private byte ReadByte() => ReadBytes(1)[0];

    private ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count > data.Length - position)
        {
            throw Invalid($"the pickle ends inside an opcode at byte {position} (truncated?)");
        }
        var span = data.AsSpan(position, count);
        position += count;
        return span;
    }

    private int ReadLength(long length) =>
        length >= 0 && length <= data.Length - position ? (int)length : throw Invalid($"a length of {length} at byte {position} runs past the end of the pickle");

    private int ReadLength(ulong length) => ReadLength(length > long.MaxValue ? -1 : (long)length);

    private object ReadLong(int count)
    {
        var bytes = ReadBytes(count);
        if (count <= 8)
        {
            long value = 0;
            for (var i = count - 1; i >= 0; i--)
            {
                value = (value << 8) | bytes[i];
            }
            if (count is > 0 and < 8 && (bytes[count - 1] & 0x80) != 0)
            {
                value -= 1L << (8 * count);   // two's complement sign
            }
            return value;
        }
        return new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
    }

    private string ReadUtf8(int count)
    {
        try
        {
            return StrictUtf8.GetString(ReadBytes(count));
        }
        catch (DecoderFallbackException)
        {
            throw Invalid($"a string before byte {position} is not valid UTF-8");
        }
    }

    private string ReadLine()
    {
        var end = Array.IndexOf(data, (byte)'\n', position, Math.Min(MaxLineBytes, data.Length - position));
        if (end < 0)
        {
            throw Invalid($"a GLOBAL name at byte {position} has no end of line");
        }
        var line = ReadUtf8(end - position);
        position++;   // the newline
        return line;
    }

    private InvalidDataException Invalid(string problem) => new($"Invalid PyTorch weight file '{path}' ({what}): {problem}.");
}
