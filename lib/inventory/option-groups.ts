/** DescribeOptionGroups' OptionGroup → the OptionGroupSettings the Oracle rules read. */
import type { OptionGroup } from '@aws-sdk/client-rds';
import type { OptionGroupSettings } from '../types.js';

export function optionGroupSettings(group: OptionGroup): OptionGroupSettings {
  return {
    name: group.OptionGroupName ?? '',
    ...(group.EngineName ? { engineName: group.EngineName } : {}),
    ...(group.MajorEngineVersion ? { majorEngineVersion: group.MajorEngineVersion } : {}),
    options: (group.Options ?? []).flatMap((option) => {
      if (!option.OptionName) return [];
      const settings: Record<string, string> = {};
      for (const setting of option.OptionSettings ?? []) {
        if (setting.Name) settings[setting.Name] = setting.Value ?? setting.DefaultValue ?? '';
      }
      return [
        {
          name: option.OptionName,
          ...(option.Port !== undefined ? { port: option.Port } : {}),
          settings,
        },
      ];
    }),
  };
}
