import { paths } from '../../bot/paths';
import { signalLabel, signalText } from '../../console/riskSignals';
import { loadTexts } from '../../prompts/texts';

const texts = loadTexts({ localesDir: paths.locales, promptsDir: paths.prompts });

describe('churn signals as staff read them', () => {
  it('gives a rule signal its words from the locales', () => {
    expect(signalLabel(texts, 'en-US', 'funds_outflow')).toBe('Money leaving');
    expect(signalText(texts, 'en-US', { code: 'churn_intent', weight: 45 })).toBe('Said they want to leave +45');
  });

  it('shows the operator’s column and value as they wrote them, with the points', () => {
    expect(signalText(texts, 'zh-CN', { code: 'model:Contract=Month-to-month', weight: 18 })).toBe('Contract Month-to-month +18');
    expect(signalLabel(texts, 'en-US', 'model:tenure=<6')).toBe('tenure <6');
    expect(signalLabel(texts, 'en-US', 'model:TotalCharges=(missing)')).toBe('TotalCharges (empty)');
    expect(signalLabel(texts, 'zh-CN', 'model:套餐=(other)')).toBe('套餐 （其他取值）');
  });

  it('uses our words for what the service counts itself, in both languages', () => {
    expect(signalLabel(texts, 'en-US', 'model:svc.complaints_90d=≥2')).toBe('Complaints in 90 days ≥2');
    expect(signalLabel(texts, 'zh-CN', 'model:svc.complaints_90d=≥2')).toBe('90天内投诉次数 ≥2');
  });

  it('reads a pair of features, and leaves codes it does not know as they are', () => {
    expect(signalLabel(texts, 'en-US', 'model:Age×IsActiveMember=[42,51)&0')).toBe('Age [42,51) & IsActiveMember 0');
    expect(signalLabel(texts, 'en-US', 'something_new')).toBe('something_new');
    expect(signalText(texts, 'en-US', {})).toBe('');
  });
});
