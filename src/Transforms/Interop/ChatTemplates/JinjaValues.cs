using System.Collections;
using System.Globalization;
using System.Text;

namespace MlNetLlm.ChatTemplates;

/// <summary>The value of a missing variable, attribute or item: falsy, renders as nothing, <c>is defined</c> is false.</summary>
internal sealed class Undefined
{
    public static readonly Undefined Value = new();

    private Undefined() { }
}

/// <summary>The result of <c>namespace(...)</c>: a dictionary whose attributes <c>{% set ns.x = ... %}</c> may change.</summary>
internal sealed class Namespace : Dictionary<string, object?>;

/// <summary>
/// Template values are string, long, double, bool, null (none), <see cref="Undefined"/>, <see cref="List{T}"/> of values
/// and <see cref="Dictionary{TKey, TValue}"/> from string to value. Output follows @huggingface/jinja (as transformers.js
/// renders): booleans as <c>true</c>/<c>false</c>, none as nothing, lists and dictionaries as JSON.
/// </summary>
internal static class JinjaValues
{
    /// <summary>Converts .NET input (strings, numbers, bools, dictionaries, enumerables) to template values.</summary>
    public static object? From(object? value)
    {
        using var level = RenderBudget.Nest(); // a value that contains itself ends here instead of overflowing the stack
        return FromValue(value);
    }

    private static object? FromValue(object? value) => value switch
    {
        null or string or bool or long or double or Undefined => value,
        int or short or byte or sbyte or uint or ushort => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        float or decimal => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        IEnumerable<KeyValuePair<string, object?>> pairs => pairs.ToDictionary(p => p.Key, p => From(p.Value)),
        IDictionary dictionary => dictionary.Keys.Cast<object>().ToDictionary(k => k as string
            ?? throw new ArgumentException("Dictionaries passed to a chat template must have string keys."), k => From(dictionary[k])),
        IEnumerable items => items.Cast<object?>().Select(From).ToList(),
        _ => throw new ArgumentException($"Values of type {value.GetType().Name} cannot be passed to a chat template."),
    };


    public static bool Truthy(object? value) => value switch
    {
        null or Undefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        ICollection c => c.Count > 0,
        RangeValue r => r.Count > 0,
        _ => true,
    };

    public static string Str(object? value) => value switch
    {
        null or Undefined => "",
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FormatDouble(d),
        _ => ToJson(value, null),
    };

    private static string FormatDouble(double d) =>
        d == Math.Floor(d) && Math.Abs(d) < 1e16 ? d.ToString("0.0", CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture);

    public static string TypeName(object? value) => value switch
    {
        null => "none",
        Undefined => "undefined",
        string => "string",
        bool => "boolean",
        long or double => "number",
        List<object?> or RangeValue => "list",
        _ => "dictionary",
    };

    public static bool AreEqual(object? a, object? b)
    {
        using var level = RenderBudget.Nest();
        return Equal(a, b);
    }

    private static bool Equal(object? a, object? b) => (a, b) switch
    {
        (long x, long y) => x == y,
        (long or double, long or double) => Convert.ToDouble(a, CultureInfo.InvariantCulture) == Convert.ToDouble(b, CultureInfo.InvariantCulture),
        (string x, string y) => x == y,
        (bool x, bool y) => x == y,
        (null, null) or (Undefined, Undefined) => true,
        (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(p => AreEqual(p.First, p.Second)),
        _ => ReferenceEquals(a, b),
    };

    public static int Compare(object? a, object? b) => (a, b) switch
    {
        (long x, long y) => x.CompareTo(y),
        (long or double, long or double) => Convert.ToDouble(a, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(b, CultureInfo.InvariantCulture)),
        (string x, string y) => string.CompareOrdinal(x, y),
        _ => throw new InvalidOperationException($"Cannot compare {TypeName(a)} with {TypeName(b)} in a chat template."),
    };

    /// <summary>Items of a value iterated by <c>for</c>: a list's items or a dictionary's keys.</summary>
    public static IReadOnlyList<object?> Iterate(object? value) => value switch
    {
        List<object?> list => list,
        RangeValue range => range,
        Dictionary<string, object?> dictionary => dictionary.Keys.Cast<object?>().ToList(),
        _ => throw new InvalidOperationException($"A chat template 'for' loop cannot iterate over {TypeName(value)}."),
    };

    public static bool Contains(object? container, object? item) => container switch
    {
        string s => item is string sub ? s.Contains(sub, StringComparison.Ordinal) : throw new InvalidOperationException($"'in <string>' needs a string, not {TypeName(item)}."),
        IReadOnlyList<object?> list => list.Any(x => AreEqual(x, item)),
        Dictionary<string, object?> dictionary => item is string key && dictionary.ContainsKey(key),
        Undefined => false,
        _ => throw new InvalidOperationException($"'in' cannot look into {TypeName(container)}."),
    };

    public static int Length(object? value) => value switch
    {
        string s => s.Length,
        ICollection c => c.Count,
        RangeValue r => r.Count,
        _ => throw new InvalidOperationException($"{TypeName(value)} has no length."),
    };

    /// <summary>JSON as Python's <c>json.dumps(ensure_ascii=False)</c> writes it (", " and ": " separators unless indented).</summary>
    public static string ToJson(object? value, int? indent)
    {
        var json = new StringBuilder();
        Write(value, 0);
        return json.ToString();

        void Write(object? v, int depth)
        {
            using var level = RenderBudget.Nest(); // a list or namespace that contains itself ends here
            switch (v)
            {
                case null or Undefined: json.Append("null"); break;
                case string s: WriteString(s); break;
                case bool or long or double: json.Append(Str(v)); break;
                case IReadOnlyList<object?> list: WriteItems('[', ']', list.Select(item => (Action)(() => Write(item, depth + 1))).ToList(), depth); break;
                case Dictionary<string, object?> dictionary:
                    WriteItems('{', '}', dictionary.Select(p => (Action)(() =>
                    {
                        WriteString(p.Key);
                        json.Append(": ");
                        Write(p.Value, depth + 1);
                    })).ToList(), depth);
                    break;
                default: throw new InvalidOperationException($"{TypeName(v)} cannot be written as JSON.");
            }
        }

        void WriteItems(char open, char close, List<Action> items, int depth)
        {
            json.Append(open);
            for (int i = 0; i < items.Count; i++)
            {
                RenderBudget.CheckLength(json.Length);
                if (i > 0) json.Append(indent is null ? ", " : ",");
                if (indent is int n) json.Append('\n').Append(' ', n * (depth + 1));
                items[i]();
            }
            if (indent is int m && items.Count > 0) json.Append('\n').Append(' ', m * depth);
            json.Append(close);
        }

        void WriteString(string s)
        {
            json.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': json.Append("\\\""); break;
                    case '\\': json.Append("\\\\"); break;
                    case '\n': json.Append("\\n"); break;
                    case '\r': json.Append("\\r"); break;
                    case '\t': json.Append("\\t"); break;
                    case '\b': json.Append("\\b"); break;
                    case '\f': json.Append("\\f"); break;
                    case < ' ': json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                    default: json.Append(c); break;
                }
            }
            json.Append('"');
        }
    }
}
