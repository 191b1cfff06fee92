using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Runner.Engine.Checkpoints;

/// <summary>
/// AdamW's state as safetensors: <c>state.&lt;i&gt;.exp_avg</c>, <c>.exp_avg_sq</c> and <c>.step</c>
/// for the i-th parameter in optimizer order, with the parameter names in the metadata so a
/// mismatch is reported by name rather than loaded into the wrong tensor.
/// </summary>
public static class OptimizerCheckpoint
{
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Export(AdamW optimizer, IReadOnlyList<string> parameterNames)
    {
        var states = optimizer.state_dict().State;
        EnsureAligned(states.Count, parameterNames.Count);
        var tensors = new Dictionary<string, Tensor>();
        for (int i = 0; i < states.Count; i++)
        {
            var state = (AdamW.State)states[i];
            tensors[$"state.{i}.exp_avg"] = state.exp_avg;
            tensors[$"state.{i}.exp_avg_sq"] = state.exp_avg_sq;
            tensors[$"state.{i}.step"] = tensor(state.step);
        }
        var metadata = new Dictionary<string, string> { ["parameters"] = string.Join(",", parameterNames) };
        return (tensors, metadata);
    }

    public static void Import(AdamW optimizer, IReadOnlyList<string> parameterNames, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        string expected = string.Join(",", parameterNames);
        if (!metadata.TryGetValue("parameters", out string? saved) || saved != expected)
        {
            throw new InvalidDataException("The checkpoint's optimizer state was saved for different parameters than this run's model; it cannot be resumed.");
        }
        var dictionary = optimizer.state_dict();
        EnsureAligned(dictionary.State.Count, parameterNames.Count);
        using (no_grad())
        {
            for (int i = 0; i < dictionary.State.Count; i++)
            {
                var state = (AdamW.State)dictionary.State[i];
                state.exp_avg.copy_(Find(tensors, $"state.{i}.exp_avg", parameterNames[i], state.exp_avg));
                state.exp_avg_sq.copy_(Find(tensors, $"state.{i}.exp_avg_sq", parameterNames[i], state.exp_avg_sq));
                state.step = Find(tensors, $"state.{i}.step", parameterNames[i], null).item<long>();
            }
        }
        optimizer.load_state_dict(dictionary);
    }

    private static Tensor Find(IReadOnlyDictionary<string, Tensor> tensors, string key, string parameter, Tensor? like)
    {
        if (!tensors.TryGetValue(key, out var value))
        {
            throw new InvalidDataException($"The checkpoint's optimizer state lacks {key} (parameter {parameter}).");
        }
        if (like is not null && !value.shape.SequenceEqual(like.shape))
        {
            throw new InvalidDataException($"The checkpoint's {key} (parameter {parameter}) has shape [{string.Join(", ", value.shape)}], expected [{string.Join(", ", like.shape)}].");
        }
        return value;
    }

    private static void EnsureAligned(int states, int parameters)
    {
        if (states != parameters)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"AdamW holds {states} parameter states for {parameters} parameters."));
        }
    }
}
