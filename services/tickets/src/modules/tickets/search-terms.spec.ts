import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commentSearchVector, searchQuery, searchWords, ticketSearchVector } from './search-terms.js';

describe('searchWords', () => {
  it('folds case and diacritics, in any script, as unaccent does', () => {
    expect(searchWords('Đơn hàng CHƯA tới, Nguyễn Thị Lan')).toEqual(['don', 'hang', 'chua', 'toi', 'nguyen', 'thi', 'lan']);
    expect(searchWords('Straße Œuvre naïve façade Ægir Łódź Øresund')).toEqual(['strasse', 'oeuvre', 'naive', 'facade', 'aegir', 'lodz', 'oresund']);
    expect(searchWords('Tere, tellisin eelmisel nädalal — jälgimisleht')).toEqual(['tere', 'tellisin', 'eelmisel', 'nadalal', 'jalgimisleht']);
    expect(searchWords('Заказ №17 не пришёл')).toEqual(['заказ', '17', 'не', 'пришел']);
  });

  it('splits at punctuation, symbols and emoji; a CJK run is one word', () => {
    expect(searchWords('lan.nguyen+shop@example.com https://track.ups.com/1Z999?x=1')).toEqual(['lan', 'nguyen', 'shop', 'example', 'com', 'https', 'track', 'ups', 'com', '1z999', 'x', '1']);
    expect(searchWords('ORD-2024-17 😀 gói hàng «mới» 東京タワー、届きません')).toEqual(['ord', '2024', '17', 'goi', 'hang', 'moi', '東京タワー', '届きません']);
    expect(searchWords("don't \u0000 a\u00a0b")).toEqual(['don', 't', 'a', 'b']);
  });

  it('keeps combining marks inside a word and drops them, as with a precomposed letter', () => {
    expect(searchWords('Nguye\u0302\u0303n')).toEqual(['nguyen']);
  });

  it('finds a folded word again, unchanged: what folding leaves that is no part of a word separates', () => {
    expect(searchWords('a῭b ῭')).toEqual(['a', 'b']);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        for (const word of searchWords(text)) expect(searchWords(word)).toEqual([word]);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves out runs too long to be words anybody searches for', () => {
    expect(searchWords(`short ${'x'.repeat(101)} end`)).toEqual(['short', 'end']);
  });
});

describe('searchVector', () => {
  it('gives each word its positions, the subject weight A and the description B, positions running on', () => {
    expect(ticketSearchVector('Parcel lost', 'The parcel never came.')).toBe("'parcel':1A,4B 'lost':2A 'the':3B 'never':5B 'came':6B");
    expect(commentSearchVector('Xin chào, xin')).toBe("'xin':1,3 'chao':2");
    expect(ticketSearchVector('', '')).toBe('');
  });

  it('keeps at most 256 positions of a word and none beyond 16383, as Postgres does', () => {
    const vector = commentSearchVector('ha '.repeat(20_000));
    const positions = vector.slice("'ha':".length).split(',');
    expect(positions).toHaveLength(256);
    expect(commentSearchVector(`${'a '.repeat(16_383)}late`)).toMatch(/'late':16383$/);
  });

  it("gives a position its own text's weight when positions run out, as setweight(…) || setweight(…) does", () => {
    expect(ticketSearchVector(`${'a '.repeat(16_383)}late`, 'parcel')).toMatch(/'late':16383A 'parcel':16383B$/);
  });
});

describe('searchQuery', () => {
  it('reads a search as web search does: all terms, "phrases", or, -exclusions', () => {
    expect(searchQuery('parcel lost')).toBe("'parcel' & 'lost'");
    expect(searchQuery('"moved since" or Monday -café')).toBe("('moved' <-> 'since') | 'monday' & !'cafe'");
    expect(searchQuery('-"gift wrap" refund')).toBe("!('gift' <-> 'wrap') & 'refund'");
  });

  it('makes a term of several words a phrase, so an address or an order number is found as written', () => {
    expect(searchQuery('Lan@Example.com')).toBe("('lan' <-> 'example' <-> 'com')");
    expect(searchQuery('ORD-2024-17')).toBe("('ord' <-> '2024' <-> '17')");
  });

  it('drops what holds no word, and a dangling or; null when nothing is left', () => {
    expect(searchQuery('or  ,,  parcel or')).toBe("'parcel'");
    expect(searchQuery(' ,, -- "" ')).toBeNull();
    expect(searchQuery('')).toBeNull();
  });

  it('never yields a lexeme that would break the tsquery or tsvector syntax, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        for (const word of searchWords(text)) expect(word).not.toMatch(/['\\\s:&|!()<>*]/);
        const query = searchQuery(text);
        if (query !== null) expect(query).toMatch(/^[!(]*'/);
      }),
      { numRuns: 500 },
    );
  });
});
