import { describe, expect, it } from '@jest/globals';
import { IsInt, IsOptional, IsString, getMetadataStorage } from 'class-validator';
import { validateMessage } from './message-validation';
import { cacheValidationRules } from './validation-rules-cache';

class Parent {
  @IsString()
  name!: string;
}

class Child extends Parent {
  @IsOptional()
  @IsInt()
  age?: number;
}

describe('cacheValidationRules', () => {
  const storage = getMetadataStorage();
  const lookup = (target: typeof Parent) =>
    storage.getTargetValidationMetadatas(target, '', false, false, undefined);

  it('is installed by loading contracts, once', () => {
    const before = storage.getTargetValidationMetadatas;
    cacheValidationRules();
    expect(storage.getTargetValidationMetadatas).toBe(before);
    expect(lookup(Child)).toBe(lookup(Child));
  });

  it('answers with the inherited rules, per options', () => {
    expect(
      lookup(Child)
        .map((rule) => rule.propertyName)
        .sort(),
    ).toEqual(['age', 'age', 'name']);
    const grouped = storage.getTargetValidationMetadatas(Child, '', false, false, ['admin']);
    expect(grouped).not.toBe(lookup(Child));
    expect(validateMessage(Child, { name: 'Ada', age: 'old' })).toEqual([
      { field: 'age', message: 'age must be an integer number' },
    ]);
    expect(validateMessage(Child, { name: 'Ada', age: 36 })).toEqual([]);
  });

  it('sees a rule registered after a lookup, on the class and on its subclasses', () => {
    expect(validateMessage(Child, { name: 'Ada', nickname: 7 })).toEqual([
      { field: 'nickname', message: 'property nickname should not exist' },
    ]);
    IsString()(Parent.prototype, 'nickname');
    expect(validateMessage(Child, { name: 'Ada', nickname: 7 })).toEqual([
      { field: 'nickname', message: 'nickname must be a string' },
    ]);
    expect(validateMessage(Parent, { name: 'Ada', nickname: 7 })).toEqual([
      { field: 'nickname', message: 'nickname must be a string' },
    ]);
  });
});
