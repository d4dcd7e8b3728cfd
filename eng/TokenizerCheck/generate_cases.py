import json, random, sys
random.seed(int(sys.argv[1]) if len(sys.argv)>1 else 0)
pools = [
 "hello world the quick brown fox jumps over lazy dog I'm you'll they've she'd it's DON'T Can't".split(),
 list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
 ["123","4.56","1,000","3rd","2nd","٣٤","१२","½","²","Ⅻ"],
 ["café","naïve","Ångström","e\u0301","o\u0308","İstanbul","ΣΊΣΥΦΟΣ","ὈΔΥΣΣΕΎΣ","straße","ǅ","ﬁ","Ǆemal"],
 ["中文","分词","日本語","テキスト","ｶﾀｶﾅ","한국어","문장","𠀀𠀁","〇"],
 ["مرحبا","بالعالم","नमस्ते","दुनिया","שלום","ไทย","ລາວ"],
 ["😀","👍🏽","👨\u200d👩\u200d👧","🇫🇷","❤️","𝐀𝐁𝐂","𝟏𝟐"],
 ["\x07","\x00","\x1b","\x7f","\x85","\xa0","\u200b","\u200d","\u2028","\u3000","\ufeff","\t","\n","\r\n","  ","\u2581","\ufffd","\u00ad","\ue000","～","\uff5e"],
 ["[CLS]","[SEP]","[MASK]","[PAD]","<s>","</s>","<unk>","<|endoftext|>","<extra_id_3>","<pad>","[UNK]"],
 ["https://x.org/a?b=c","me@ex.com","C++","#hashtag","@user","$9.99","100%","--","...","''","``"],
 ["supercalifragilisticexpialidociousantidisestablishmentarianism"*3, "a"*120, "ab"*60],
]
cases=[]
for i in range(400):
    n=random.randint(0,12)
    parts=[]
    for _ in range(n):
        pool=random.choice(pools)
        parts.append(random.choice(pool))
        parts.append(random.choice([" "," "," ","","  ","\n"]))
    text="".join(parts)
    c={"text":text,"add_special_tokens":random.random()<0.8}
    # No pairs or max_length: those follow Hugging Face tokenizers (Python), where transformers.js differs by design;
    # the reference files check them (assets/models/TOKENIZER_CASES.md).
    cases.append(c)
json.dump(cases,open(sys.argv[2] if len(sys.argv)>2 else "cases.json","w"))
