"""Word lists and phrase patterns behind the coach. Pure data, no Django.

A phrase pattern is a space-separated list of elements, matched against the message's tokens
(lower-cased, contractions expanded: "you're" becomes "you are", "don't" becomes "do not"):

- ``word`` or ``a|b|c``: one token that is one of these;
- ``@NAME``: one token from the word set ``NAME`` below;
- ``?elem``: an optional element;
- ``~``: a gap of up to three word tokens inside the same clause;
- ``$``: the end of a clause (punctuation or the end of the message), not consumed;
- ``^`` (first only): the start of a clause.

Each pattern belongs to one label and may carry flags:

- ``negatable``: ignored when a negation ("not", "never", "no") comes shortly before it in the
  same clause ("I don't think you're lazy");
- ``warm``: a "you always / you never" that turns into appreciation when what follows is warm
  ("you always make me laugh");
- ``apology``: an "I'm sorry" that is not an apology when "you", "if" or "but" follows it.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    """A word set written as one whitespace-separated string, for readability."""
    return frozenset(text.split())


LABELS: tuple[str, ...] = (
    "criticism",
    "contempt",
    "defensiveness",
    "stonewalling",
    "i_statement",
    "validation",
    "responsibility",
    "appreciation",
    "repair",
)
HARSH: frozenset[str] = frozenset({"criticism", "contempt", "defensiveness", "stonewalling"})

EXPLANATIONS: dict[str, str] = {
    "criticism": (
        "This speaks about who your partner is, or says “always” or “never”, which usually "
        "makes a person defend themselves instead of hearing the complaint."
    ),
    "contempt": (
        "Mockery, insults, sarcasm or an eye-roll tell your partner they are less than you, "
        "and that tends to hurt more than the problem you want to raise."
    ),
    "defensiveness": (
        "Denying, pointing back at your partner or apologising only for their feelings "
        "protects you for a moment but leaves their concern unheard."
    ),
    "stonewalling": (
        "Closing the conversation without saying when you will come back can feel like a "
        "door shutting; a break with a return time does the same job more kindly."
    ),
    "i_statement": (
        "You name your own feeling, tie it to a situation and ask for something specific, "
        "which is the easiest kind of message to hear."
    ),
    "validation": (
        "You let your partner know their view makes sense, even if you see it differently."
    ),
    "responsibility": "You own your part without excuses, which often softens the whole talk.",
    "appreciation": "You notice and thank your partner for something they did; it builds goodwill.",
    "repair": "You slow things down, try again or suggest a break, which helps you both reset.",
}

_EXPLAINED: dict[tuple[str, ...], dict[str, str]] = {}


def explanations(labels: tuple[str, ...]) -> dict[str, str]:
    """Each label's explanation, in the labels' order: a fresh dict (a caller may change
    it), copied from one kept per tuple of labels (at most 2**9 of them, in ``LABELS`` order)."""
    kept = _EXPLAINED.get(labels)
    if kept is None:
        kept = _EXPLAINED[labels] = {label: EXPLANATIONS[label] for label in labels}
    return kept.copy()


WORDS: dict[str, frozenset[str]] = {
    # Words that describe a person's character rather than something they did.
    "TRAIT": _words(
        """lazy selfish inconsiderate careless irresponsible thoughtless useless unreliable
        controlling liar cheater cheat self-centred self-centered immature rude heartless
        manipulative hopeless incompetent untrustworthy needy clingy crazy paranoid insensitive
        disrespectful cold spineless ungrateful impossible slob pushover"""
    ),
    # Name-calling.
    "INSULT": _words(
        """idiot moron loser clown joke pathetic disgusting stupid dumb baby child hysterical
        worthless imbecile fool psycho freak embarrassment disgrace"""
    ),
    # Insults that also work as a form of address: "you idiot".
    "VOCATIVE": _words("idiot moron loser clown fool psycho freak imbecile"),
    "INTENSIFIER": _words(
        "so such really very completely totally just a an the total complete utterly"
    ),
    "FEELING": _words(
        """hurt sad lonely scared anxious afraid worried angry frustrated overwhelmed insecure
        betrayed nervous ignored disappointed uneasy ashamed unsafe happy relieved embarrassed
        unimportant tense flooded jealous upset confused hopeful unheard alone invisible
        rejected humiliated helpless stressed panicky dismissed unloved unappreciated frightened
        furious
        hurting lost
        guilty grateful loved safe calm excited"""
    ),
    "SOFTENER": _words("so really very quite pretty completely deeply a_bit rather"),
    "HARD": _words(
        """hard awful exhausting painful scary difficult lonely frustrating tough stressful
        horrible upsetting terrible overwhelming frightening heartbreaking"""
    ),
    # What follows "you always" in a warm message.
    "WARM_ALWAYS": _words(
        """laugh smile know remember cheer safe warm help support supported there believe kind
        thoughtful listen love loved calm calmer better special patient"""
    ),
    "NEVER_WARM": _words("fail judge complain"),
    "POSITIVE": _words(
        """patient kind sweet thoughtful generous brave lovely wonderful great amazing helpful
        supportive honest caring calm gentle"""
    ),
    "NEGATION": _words("not never no"),
    "NUMBER": _words("five ten fifteen twenty thirty forty few couple 5 10 15 20 30 40 45 60"),
    "BREAK": _words("break pause breather time-out"),
}

# Contractions and common spellings without an apostrophe, expanded before matching.
EXPAND: dict[str, tuple[str, ...]] = {
    "you're": ("you", "are"),
    "youre": ("you", "are"),
    "ur": ("you", "are"),
    "i'm": ("i", "am"),
    "im": ("i", "am"),
    "it's": ("it", "is"),
    "that's": ("that", "is"),
    "thats": ("that", "is"),
    "what's": ("what", "is"),
    "whats": ("what", "is"),
    "don't": ("do", "not"),
    "dont": ("do", "not"),
    "doesn't": ("does", "not"),
    "doesnt": ("does", "not"),
    "didn't": ("did", "not"),
    "didnt": ("did", "not"),
    "can't": ("can", "not"),
    "cant": ("can", "not"),
    "cannot": ("can", "not"),
    "won't": ("will", "not"),
    "wont": ("will", "not"),
    "isn't": ("is", "not"),
    "isnt": ("is", "not"),
    "wasn't": ("was", "not"),
    "wasnt": ("was", "not"),
    "aren't": ("are", "not"),
    "weren't": ("were", "not"),
    "haven't": ("have", "not"),
    "hadn't": ("had", "not"),
    "shouldn't": ("should", "not"),
    "wouldn't": ("would", "not"),
    "couldn't": ("could", "not"),
    "i've": ("i", "have"),
    "i'd": ("i", "would"),
    "i'll": ("i", "will"),
    "you'd": ("you", "would"),
    "you've": ("you", "have"),
    "you'll": ("you", "will"),
    "we're": ("we", "are"),
    "we've": ("we", "have"),
    "let's": ("let", "us"),
    "lets": ("let", "us"),
    "there's": ("there", "is"),
    "u": ("you",),
    "ya": ("you",),
}

# label -> [(pattern, flags)]. Longer, more specific patterns first within a label.
PATTERNS: dict[str, list[tuple[str, str]]] = {
    "criticism": [
        ("you always|never", "warm"),
        ("you constantly|continually", "warm"),
        ("all you ever|do ~ is", ""),
        ("not once have|did you", ""),
        ("you forget|ruin|spoil everything", ""),
        ("why is it always me", ""),
        ("why am i always the one", ""),
        ("you think only of|about yourself", ""),
        ("you only think of|about yourself", ""),
        ("you are always|forever", "warm"),
        ("you are|were ?@INTENSIFIER ?@INTENSIFIER @TRAIT", "negatable"),
        ("you @TRAIT", "negatable"),
        ("what is wrong|up with you", ""),
        ("what is the matter with you", ""),
        ("that is just|so like you", ""),
        ("typical you", ""),
        ("classic you", ""),
        ("^ typical $", ""),
        ("why do you always|never", ""),
        ("why can not you ever|just|once", ""),
        ("why are you always|so", ""),
        ("you do not care about|how|what|that", "negatable"),
        ("you only ?ever care|think about", ""),
        ("you can not be trusted", "negatable"),
        ("you are the kind|type of person", ""),
        ("every single time", ""),
        ("you are incapable of", ""),
        # Eighth layer: blame in the past tense, "just once", scorn by comparison.
        ("you were|have never|always", "warm"),
        ("if ?, just once ?, you", ""),
        ("beneath you", ""),
        ("every time|everytime i ask", ""),
    ],
    "contempt": [
        ("you are ?being ?@INTENSIFIER ?@INTENSIFIER @INSULT", "negatable"),
        ("you @VOCATIVE", "negatable"),
        ("how @INSULT can you be", ""),
        ("what a joke|surprise|shock", ""),
        ("oh|you poor baby|you|thing", ""),
        ("^ poor you", ""),
        ("boo hoo", ""),
        ("boo-hoo", ""),
        ("yeah right", ""),
        ("oh sure|please", ""),
        ("nice going|one", ""),
        ("great job ruining|wrecking", ""),
        ("thanks a lot $", ""),
        ("thanks for nothing", ""),
        ("thank you for nothing", ""),
        (", genius", ""),
        ("🙄", ""),
        ("roll|rolls|rolling eyes|eye", ""),
        ("eye roll|rolls|rolling", ""),
        ("eye-roll", ""),
        ("get over yourself", ""),
        ("grow up", ""),
        ("who do you think you are", ""),
        ("spare me", ""),
        ("give me a break", ""),
        ("you make me sick", ""),
        ("you disgust me", ""),
        ("waste of space", ""),
        ("poor little", ""),
        ("how original|mature|clever", ""),
        ("a grown adult|man|woman who", ""),
        ("managed to ruin", ""),
        ("^ congrats ,", ""),
        ("oh look who", ""),
        ("listen to yourself", ""),
        ("you call that", ""),
        ("newsflash", ""),
        ("what are you , five", ""),
        ("😒", ""),
        ("🤦", ""),
        ("^ pathetic $", ""),
        ("^ ridiculous $", ""),
        ("always|playing the victim", ""),
        ("drama queen", ""),
        ("get a grip", ""),
        ("cry me a river", ""),
        ("real|very mature", ""),
        ("acting like a child|baby|toddler", ""),
        ("married someone", ""),
        ("congratulations on being", ""),
        ("because you are so perfect|smart|wonderful", ""),
        ("mr|miss|ms perfect|honest|innocent|know-it-all", ""),
        ("lol|haha sure|okay|ok|right", ""),
        ("lol|haha you $", ""),
        ("here we go again", ""),
        ("like you would ever", ""),
        ("nobody believes you", ""),
        ("^ shocking $", ""),
        # Mock praise and mock ceremony.
        ("his|her royal|majesty|highness", ""),
        ("mark the|your calendar|calendars", ""),
        ("alert the media|press", ""),
        ("stop the press|presses", ""),
        ("want a medal|cookie|trophy|sticker", ""),
        ("give you a medal|cookie|trophy", ""),
        ("must be nice", ""),
        ("cool story", ""),
        ("bless your heart|cotton", ""),
        ("per my last", ""),
        ("ok|okay dr|doctor", ""),
        ("🙃", ""),
        ("just wow", ""),
        ("^ funny $", ""),
        # Eighth layer: sarcastic thanks and mock praise, armchair diagnosis.
        ("thanks|thank ?you for the lecture|sermon|therapy|lesson", ""),
        ("how much do i owe you", ""),
        ("how convenient|romantic", ""),
        ("i will just do everything|it all myself", ""),
        ("your trauma|issues|insecurity|ego talking", ""),
        ("you are a walking", ""),
    ],
    "defensiveness": [
        ("not my fault", ""),
        ("i am not the one", ""),
        ("why are you attacking me", ""),
        ("everybody|everyone does it", ""),
        ("you were not exactly", ""),
        ("i said sorry already", ""),
        ("what more do you want", ""),
        ("twisting my words", ""),
        ("not like you are perfect", ""),
        ("what did you expect", ""),
        ("stop making this about me", ""),
        ("that never happened", ""),
        ("making it|this|that up", ""),
        ("you ~ exaggerate", ""),
        ("if you did not nag", ""),
        ("i was busy", ""),
        ("how is this|that|it my fault", ""),
        ("i did not do anything wrong", ""),
        ("i did nothing wrong", ""),
        ("yeah|yes ?, but", ""),
        ("that is not true", ""),
        ("what about you", ""),
        ("you do it too", ""),
        ("you do ~ same", ""),
        ("i was just|only being|trying|joking|kidding|saying|asking|talking|helping", ""),
        ("i only said|did it because", ""),
        ("not a big deal", ""),
        ("i am sorry if|you", ""),
        ("sorry your feelings", ""),
        ("sorry ?, but", ""),
        ("it was not me", ""),
        ("i never said that|it|so", ""),
        ("you started it|this", ""),
        ("you are the one who|that", ""),
        ("if you had not", ""),
        ("you made me do|say|act|like", ""),
        ("i had no choice", ""),
        ("do not blame me", ""),
        ("at least i", ""),
        ("you are overreacting|overreact", ""),
        ("you are being ?so|too dramatic|sensitive|paranoid|unfair", ""),
        ("you are too sensitive", ""),
        ("that is ridiculous|absurd", ""),
        ("it is not like i", ""),
        ("i am always the one", ""),
        ("why do i even bother", ""),
        ("not my problem", ""),
        # A concern heard, then turned away (the guideline: "validation-then-but").
        ("i hear you ?, but", ""),
        ("i get that ~ , but", ""),
        ("i hear that ~ , but", ""),
        ("i understand ~ , but", ""),
        # Apologies that complain of having to apologise, or minimise.
        ("have to apologise|apologize|grovel", ""),
        ("must i apologise|apologize|grovel", ""),
        ("say sorry again", ""),
        ("i already apologised|apologized|said", ""),
        ("i apologised|apologized ?already ?, it is done", ""),
        ("why are we still", ""),
        ("what do you want me to do", ""),
        ("what else do you want", ""),
        ("not my job", ""),
        ("that is|it is not on me", ""),
        ("out of proportion", ""),
        ("a bigger deal than", ""),
        ("was just|only a joke", ""),
        ("can not take a joke", ""),
        ("would have freaked|overreacted|lost it", ""),
        # Eighth layer: denial of a named wrong, turning it back, tired of apologising.
        ("i am not gaslighting|lying|cheating|hiding", ""),
        ("you are projecting", ""),
        ("you are exaggerating", ""),
        ("making it|this|that sound", ""),
        ("now it is my fault", ""),
        ("become|became my fault", ""),
        ("keep apologising|apologizing", ""),
        ("apologised|apologized ~ times", ""),
        ("done explaining", ""),
        ("i did ?exactly what you asked|wanted", ""),
        ("i did not realise|realize i needed", ""),
    ],
    "stonewalling": [
        ("i am done $", ""),
        ("we are not talking about", ""),
        ("can not be bothered", ""),
        ("do what you like|want", ""),
        ("^ enough $", ""),
        ("i am not having this", ""),
        ("^ not now $", ""),
        ("nothing more to say", ""),
        ("i am off $", ""),
        ("i am leaving $", ""),
        ("whatever makes you happy", ""),
        ("i am not going to discuss|talk", ""),
        ("i am done talking|discussing", ""),
        ("i am done with this|you", ""),
        ("i am not doing this", ""),
        ("^ not doing this", ""),
        ("talk to the hand", ""),
        ("do not talk to me", ""),
        ("i do not want to talk|discuss", ""),
        ("i am not talking|discussing", ""),
        ("^ whatever $", ""),
        ("whatever you say", ""),
        ("forget it", "negatable"),
        ("end of discussion|conversation|story", ""),
        ("conversation is over", ""),
        ("conversation over", ""),
        ("leave me alone", ""),
        ("nothing to discuss|say", ""),
        ("i am not answering", ""),
        ("^ drop it", ""),
        ("i do not care anymore", ""),
        ("^ not interested", ""),
        ("^ k $", ""),
        ("i am out $", ""),
        ("not talking to you", ""),
        # Eighth layer: cold exits ("as you wish"), a switched-off phone.
        ("do as you like|please|wish", ""),
        ("^ as you wish", ""),
        ("do whatever you want|like|please", ""),
        ("say nothing further|more", ""),
        ("turning|switching my phone off", ""),
        ("not wasting another", ""),
        ("do not message|text|call me again", ""),
    ],
    "validation": [
        ("makes|make ?total|perfect sense", "negatable"),
        ("makes|make a lot of sense", "negatable"),
        ("i get it", ""),
        ("would make anyone", ""),
        ("feel the same in your shoes", ""),
        ("in your shoes", ""),
        ("understandable", ""),
        ("i can tell how|that", ""),
        ("where you are coming from", ""),
        ("every reason to", ""),
        ("it is fair that|to", ""),
        ("i hear how|that|what", ""),
        ("i ?totally understand why|how|that|you", ""),
        ("i can understand", ""),
        ("i can see why|how|that", ""),
        ("i see what you mean", ""),
        ("i see why", ""),
        ("i hear you", ""),
        ("you are right", "negatable"),
        ("you have a point", ""),
        ("i ?totally get why|that|it", ""),
        ("of course you", ""),
        ("no wonder you", ""),
        ("it sounds like", ""),
        ("that|it sounds ?really|so|very @HARD", ""),
        ("that must have been|feel", ""),
        ("i can imagine", ""),
        ("anyone would be|feel", ""),
        ("every right to", ""),
        ("would be upset|angry|hurt|scared|worried too", ""),
        ("your feelings are valid", ""),
        ("you have ?got a point", ""),
    ],
    "responsibility": [
        ("i am ?so|really|truly|very sorry", "apology"),
        ("^ sorry", "apology"),
        ("i apologize|apologise", ""),
        ("out of line", ""),
        ("one's on me", ""),
        ("no excuse", ""),
        ("i caused", ""),
        ("i need to own", ""),
        ("i handled that|it badly", ""),
        ("i am responsible", ""),
        ("forgive me", ""),
        ("i got that|it wrong", ""),
        ("right to call me out", ""),
        ("my fault", "negatable"),
        ("that is|was on me", ""),
        ("i was wrong", ""),
        ("wrong|harsh|unfair|unkind of me", ""),
        ("i should have", ""),
        ("i should not have", ""),
        ("i take ?full responsibility", ""),
        ("i own that|it|my", ""),
        ("my part", ""),
        ("i made a mistake", ""),
        ("i let you down", ""),
        ("i broke my|your promise|trust|word", ""),
        ("i hurt you", ""),
        ("i messed|screwed up", ""),
        ("no excuses", ""),
        ("i got|was|am being defensive", ""),
        ("i came at you", ""),
        ("i have not given you", ""),
        ("i behaved badly|terribly|poorly|appallingly", ""),
        ("not ~ excuses", ""),
    ],
    "appreciation": [
        ("thank you|u", ""),
        ("thanks", ""),
        ("cheers for", ""),
        ("i loved our|it|that|how", ""),
        ("it ?really helped that|when", ""),
        ("you are a great|wonderful|amazing|brilliant", ""),
        ("go unnoticed", ""),
        ("means|meant a lot", ""),
        ("i ?really value", ""),
        ("you made my day", ""),
        ("lucky to have you", ""),
        ("you were so @POSITIVE", ""),
        ("i ?really|truly appreciate", ""),
        ("i love how|that|it", ""),
        ("grateful", ""),
        ("i admire", ""),
        ("proud of", "negatable"),
        ("meant a lot", ""),
        ("meant so much", ""),
        ("i noticed you", ""),
    ],
    "repair": [
        ("take|need|have a|some @BREAK", ""),
        ("can|could we ?take ?a pause", ""),
        ("let us pause|stop|breathe", ""),
        ("take @NUMBER minutes", ""),
        ("come back to this|it", ""),
        ("rewind", ""),
        ("i said that badly", ""),
        ("need some air", ""),
        ("back in an|half hour", ""),
        ("hit pause", ""),
        ("gentler", ""),
        ("i am listening", ""),
        ("tell me again", ""),
        ("cool off|down", ""),
        ("getting worked up", ""),
        ("give me @NUMBER minutes", ""),
        ("without the edge", ""),
        ("take a breath", ""),
        ("on your side", ""),
        ("let me rephrase|rephrase", ""),
        ("let me try ?that ?again", ""),
        ("try that again", ""),
        ("can we try again", ""),
        ("start over|again", ""),
        ("do-over", ""),
        ("came out wrong", ""),
        ("say it differently|again", ""),
        ("slow down", ""),
        ("same team|side", ""),
        ("i want to understand", ""),
        ("take a breath", ""),
        ("time out", ""),
        ("time-out", ""),
        ("i do not want to fight", ""),
        ("talk about this|it later", ""),
        ("when we are calmer", ""),
        ("talk again", ""),
        ("talk it through", ""),
    ],
}

# What counts as a feeling in an "I" statement, and as a positive need.
FEELING_PATTERNS: list[str] = [
    "i feel|felt ?@SOFTENER @FEELING",
    "i have felt ?@SOFTENER @FEELING",
    "i feel|felt left out",
    "i am|was feeling|getting ?@SOFTENER @FEELING",
    "i got|get ?@SOFTENER @FEELING",
    "i feel|felt on edge",
    "i feel|felt ?@SOFTENER let down",
    "i am|was ?@SOFTENER @FEELING",
]
NEED_PATTERNS: list[str] = [
    "i need",
    "i would like|love",
    "could|can we",
    "would|could you",
    "it would help",
    "i want us",
    "i am asking",
    "please could",
]
SITUATION_PATTERNS: list[str] = ["when"]

# Words of other languages common enough to tell them apart in a short message. Words that
# are also English ("a", "me", "on", "over", "die") are left out on purpose.
FOREIGN: frozenset[str] = _words(
    """el la los las que por para estoy estás está hablamos mañana gracias pero muy tengo
    quiero tarde voy dormir hola bueno también porque cuando dónde como
    je ne pas tu vous nous est sont suis ce cette avec pour dans parle parler soir demain voit
    merci oui mais très bien sais veux dire quoi pourquoi
    ich habe heute keine nicht wir sprechen morgen und du kannst kaufen bist ist mit das der
    auch aber sehr danke ja nein zeit bitte
    non ho capito cosa vuoi ne parliamo stasera sei casa grazie sono perché anche molto
    vou chegar atrasado hoje você obrigado obrigada não estou também
    ik ben tien minuten thuis niet het een wij jij bedankt morgen vandaag"""
)
ENGLISH: frozenset[str] = _words(
    """the you i to and a is it me my we that of in for on at be can do not your this what
    so just are was with have he she they our us will would could should did does how why
    when where there here all about if but or an no yes ok okay please thanks thank love
    tonight today tomorrow time home work need want feel felt sorry am"""
)
