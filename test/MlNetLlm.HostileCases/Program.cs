using MlNetLlm;

// Runs one hostile case named by args[0] (model folders under args[1]) and prints one line describing the outcome:
// "threw <ExceptionType> <detail>" or "ok <detail>". Exit code 0 means the process survived; the test asserts the line.
var models = args.Length > 1 ? args[1] : ".";
try
{
    Console.WriteLine(args[0] switch
    {
        "template-deep-parentheses" => Render("{{ " + new string('(', 100_000) + "1" + new string(')', 100_000) + " }}"),
        "template-deep-if" => Render(string.Concat(Enumerable.Repeat("{% if true %}", 50_000)) + "x" + string.Concat(Enumerable.Repeat("{% endif %}", 50_000))),
        "template-deep-not" => Render("{{ " + string.Concat(Enumerable.Repeat("not ", 200_000)) + "true }}"),
        "template-long-addition" => Render("{{ 1" + string.Concat(Enumerable.Repeat(" + 1", 200_000)) + " }}"),
        "template-long-filter-chain" => Render("{{ 'a'" + string.Concat(Enumerable.Repeat(" | trim", 200_000)) + " }}"),
        "template-namespace-prints-itself" => Render("{% set ns = namespace() %}{% set ns.me = ns %}{{ ns }}"),
        "template-tojson-self-containing-list" => RenderWith("{{ messages | tojson }}", SelfContainingList()),
        "template-cyclic-dictionary" => RenderWith("{{ messages[0]['role'] }}", SelfContainingDictionary()),
        "template-tojson-namespace-in-its-own-list" => Render("{% set ns = namespace(items=[]) %}{% set ns.items = [ns] %}{{ ns.items | tojson }}"),
        "dispose-while-embedding" => DisposeWhileRunning(() => TextEmbeddingModel.FromDirectory(Path.Combine(models, "tiny-bert-embed")),
            (m, i) => m.Embed([$"row {i} of a sentence", "another one"]).Length),
        "dispose-while-classifying" => DisposeWhileRunning(() => TextClassificationModel.FromDirectory(Path.Combine(models, "tiny-bert-sst2")),
            (m, i) => m.Classify([$"a fine film {i}", "dull"]).Length),
        "dispose-while-generating" => DisposeWhileRunning(() => CausalLanguageModel.FromDirectory(Path.Combine(models, "stories260k")),
            (m, i) => m.GenerateIds("Once upon a time", new GenerationOptions { MaxNewTokens = 40 }).Count),
        _ => throw new ArgumentException($"Unknown case '{args[0]}'."),
    });
}
catch (ChatTemplateLimitException e)
{
    Console.WriteLine($"threw {nameof(ChatTemplateLimitException)} {e.Limit}");
}
catch (Exception e)
{
    Console.WriteLine($"threw {e.GetType().Name} {e.Message}");
}
return 0;

static string Render(string template) => "ok " + ChatTemplate.Parse(template).Render(new Dictionary<string, object?>());

static string RenderWith(string template, object messages) =>
    "ok " + ChatTemplate.Parse(template).Render(new Dictionary<string, object?> { ["messages"] = messages });

static List<object?> SelfContainingList()
{
    var list = new List<object?> { "a" };
    list.Add(list);
    return list;
}

static List<object?> SelfContainingDictionary()
{
    var message = new Dictionary<string, object?> { ["role"] = "user" };
    message["self"] = message;
    return [message];
}

// Eight threads run the model in a loop while the main thread disposes it. Every call must either finish with the right
// result or throw ObjectDisposedException; at least one must finish before the dispose and one must be refused after it.
static string DisposeWhileRunning<TModel>(Func<TModel> load, Func<TModel, int, int> run) where TModel : IDisposable
{
    var model = load();
    int expected = run(model, 0), completed = 0, refused = 0;
    var wrong = new List<string>();
    using var started = new CountdownEvent(8);
    var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
    {
        started.Signal();
        for (int i = 0; ; i++)
        {
            try
            {
                int result = run(model, i);
                if (result != expected) lock (wrong) wrong.Add($"result {result}");
                Interlocked.Increment(ref completed);
            }
            catch (ObjectDisposedException)
            {
                Interlocked.Increment(ref refused);
                return;
            }
            catch (Exception e)
            {
                lock (wrong) wrong.Add(e.GetType().Name + ": " + e.Message);
                return;
            }
        }
    })).ToList();
    threads.ForEach(t => t.Start());
    started.Wait();
    SpinWait.SpinUntil(() => Volatile.Read(ref completed) > 0, TimeSpan.FromSeconds(60)); // dispose while the threads are mid-run
    model.Dispose();
    model.Dispose(); // a second dispose is harmless
    threads.ForEach(t => t.Join());
    return wrong.Count > 0 ? "wrong " + string.Join("; ", wrong.Distinct())
        : $"ok all 8 threads stopped with ObjectDisposedException: {refused == 8}; runs completed before: {completed > 0}";
}
